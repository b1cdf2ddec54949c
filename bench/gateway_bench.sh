#!/usr/bin/env bash
# Gateway overhead benchmark. Runs a fake OpenAI upstream (nginx answering the real SSE format) on
# loopback, then measures in the same run: wrk straight at the upstream, and wrk at the gateway's
# /v1/chat/complete with everything on (session check, rate limit, moderation, quota reserve/settle
# in Redis, the usage_logs row in PostgreSQL). Prints a Markdown table; with --write it also
# replaces the results section of docs/BENCHMARKS.md.
# Usage: bench/gateway_bench.sh [--write] [--duration 20] [--connections 32]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/stack.sh
source scripts/lib/stack.sh

write=no
duration=20
connections=32
while [ $# -gt 0 ]; do
  case $1 in
    --write) write=yes ;;
    --duration) duration=$2; shift ;;
    --connections) connections=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

ensure_packages wrk nginx-light
log "building the gateway in release mode (the first time takes a while)"
swift build -c release --product GatewayService >/dev/null
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d /tmp/aistudio-bench.XXXXXX)
chmod 755 "$work"
gateway_pid=""
cleanup() {
  [ -n "$gateway_pid" ] && kill "$gateway_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  stop_stack
  rm -rf "$work"
}
trap cleanup EXIT

pg_port=$(free_port); redis_port=$(free_port); upstream_port=$(free_port); gateway_port=$(free_port)
start_postgres "$work/postgres" "$pg_port"
psql -h 127.0.0.1 -p "$pg_port" -U studio -d postgres -qc "CREATE DATABASE bench"
start_redis "$work/redis" "$redis_port"

# The upstream: OpenAI's streaming wire format, served by nginx without touching the disk.
sse='data: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"مرحبًا"},"finish_reason":null}],"usage":null}\n\ndata: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}\n\ndata: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}\n\ndata: [DONE]\n\n'
sse_quoted=${sse//\"/\\\"}
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/body;
  server {
    listen 127.0.0.1:$upstream_port;
    location / { default_type text/event-stream; return 200 "$sse_quoted"; }
  }
}
NGINX
nginx -c "$work/nginx.conf"

secret="bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"
ENV=test PORT=$gateway_port LOG_LEVEL=info DATABASE_URL="postgres://studio@127.0.0.1:$pg_port/bench?sslmode=disable" \
  REDIS_URL="redis://127.0.0.1:$redis_port/0" JWT_SECRET=$secret OPENAI_API_KEY=sk-bench \
  OPENAI_BASE_URL="http://127.0.0.1:$upstream_port" RATE_LIMIT_PER_MINUTE=100000 \
  "$bin/GatewayService" >"$work/gateway.log" 2>&1 &
gateway_pid=$!
ready=no
for _ in $(seq 1 150); do
  if curl -fsS "http://127.0.0.1:$gateway_port/readyz" >/dev/null 2>&1; then ready=yes; break; fi
  sleep 0.2
done
if [ "$ready" != yes ]; then
  log "the gateway did not become ready:"; tail -20 "$work/gateway.log"; exit 1
fi

# A user on Creator with a very large add-on, so the quota is checked on every request but never runs out.
user=$(psql -h 127.0.0.1 -p "$pg_port" -U studio -d bench -qAtc "
  WITH u AS (INSERT INTO users (email) VALUES ('bench@example.jo') RETURNING id),
       s AS (INSERT INTO subscriptions (user_id, plan_id, status, current_period_start, renews_at, provider)
             SELECT id, 'creator', 'active', now() - interval '1 day', now() + interval '29 days', 'manual' FROM u),
       a AS (INSERT INTO addon_credits (user_id, addon_id, kind, amount, period_start, period_end)
             SELECT id, 'tokens_200k', 'tokens', 100000000000, now() - interval '1 day', now() + interval '29 days' FROM u)
  SELECT id FROM u")
token=$(python3 - "$secret" "$user" <<'PY'
import base64, hashlib, hmac, json, sys, time
b = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
head = b(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
body = b(json.dumps({"sub": sys.argv[2], "iat": int(time.time()), "exp": int(time.time()) + 3600, "ver": 1}).encode())
sig = b(hmac.new(sys.argv[1].encode(), f"{head}.{body}".encode(), hashlib.sha256).digest())
print(f"{head}.{body}.{sig}")
PY
)

run_wrk() {
  BENCH_BODY=$1 BENCH_TOKEN=$2 BENCH_DELAY_MS=${5:-0} wrk -t1 -c"$connections" -d"${duration}s" --latency \
    -s bench/wrk_post.lua "$3" >"$4"
}
percentile() { awk -v p="$1" '$1 == p {print $2}' "$2"; }
to_ms() {
  awk '{ v=$1; if (v ~ /us$/) { sub(/us/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms/,"",v); print v+0 } else if (v ~ /s$/) { sub(/s/,"",v); print v*1000 } }' <<<"$1"
}
rps() { awk '/Requests\/sec/ {printf "%.0f", $2}' "$1"; }

upstream_body='{"model":"gpt-4o","messages":[{"role":"user","content":"ما هي عاصمة الأردن؟"}],"stream":true}'
gateway_body='{"model":"gpt-4o","messages":[{"role":"user","content":"ما هي عاصمة الأردن؟"}],"max_tokens":16}'
upstream_url="http://127.0.0.1:$upstream_port/v1/chat/completions"
gateway_url="http://127.0.0.1:$gateway_port/v1/chat/complete"
# Each connection pauses this long between requests: 32 connections offer about 1,000 requests/s.
target_rps=1000
pace=$(( connections * 1000 / target_rps - 2 ))
log "warming up"
run_wrk "$gateway_body" "$token" "$gateway_url" /dev/null 2>/dev/null || true
log "throughput: ${duration}s at $connections connections, as fast as each side answers"
run_wrk "$upstream_body" "" "$upstream_url" "$work/upstream-max.txt"
run_wrk "$gateway_body" "$token" "$gateway_url" "$work/gateway-max.txt"
log "latency: ${duration}s at $connections connections pacing ${pace} ms (about 1,000 requests/s offered)"
run_wrk "$upstream_body" "" "$upstream_url" "$work/upstream.txt" "$pace"
run_wrk "$gateway_body" "$token" "$gateway_url" "$work/gateway.txt" "$pace"
rss_kb=$(ps -o rss= -p "$gateway_pid" | tr -d ' ')

errors=$(grep -h -E 'Non-2xx|Socket errors' "$work/gateway.txt" "$work/gateway-max.txt" || true)
up50=$(to_ms "$(percentile 50% "$work/upstream.txt")"); up99=$(to_ms "$(percentile 99% "$work/upstream.txt")")
gw50=$(to_ms "$(percentile 50% "$work/gateway.txt")"); gw99=$(to_ms "$(percentile 99% "$work/gateway.txt")")
gw_max=$(rps "$work/gateway-max.txt"); up_max=$(rps "$work/upstream-max.txt")
gw_paced=$(rps "$work/gateway.txt"); up_paced=$(rps "$work/upstream.txt")
rows=$(psql -h 127.0.0.1 -p "$pg_port" -U studio -d bench -qAtc "SELECT count(*) FROM usage_logs")

# Time to first byte of a stream, sequentially, upstream then gateway.
ttfb() {
  local url=$1 body=$2 auth=$3
  for _ in $(seq 1 200); do
    curl -s -o /dev/null -w '%{time_starttransfer}\n' -X POST -H 'Content-Type: application/json' ${auth:+-H "Authorization: Bearer $auth"} \
      --data "$body" "$url"
  done | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int(NR/2)]*1000}'
}
stream_body='{"model":"gpt-4o","messages":[{"role":"user","content":"ما هي عاصمة الأردن؟"}],"max_tokens":16,"stream":true}'
up_ttfb=$(ttfb "http://127.0.0.1:$upstream_port/v1/chat/completions" "$upstream_body" "")
gw_ttfb=$(ttfb "http://127.0.0.1:$gateway_port/v1/chat/complete" "$stream_body" "$token")

added50=$(awk -v a="$gw50" -v b="$up50" 'BEGIN {printf "%.2f", a-b}')
added99=$(awk -v a="$gw99" -v b="$up99" 'BEGIN {printf "%.2f", a-b}')
added_ttfb=$(awk -v a="$gw_ttfb" -v b="$up_ttfb" 'BEGIN {printf "%.2f", a-b}')
table=$(cat <<TABLE
| measure | upstream alone | through the gateway | added | target |
|---|---|---|---|---|
| requests/s, $connections connections, no pause (most sustained) | $up_max | $gw_max | | ≥ 1000 |
| latency p50 at about 1,000 requests/s offered (ms) | $up50 | $gw50 | $added50 | ≤ 2 |
| latency p99 at about 1,000 requests/s offered (ms) | $up99 | $gw99 | $added99 | ≤ 10 |
| requests/s served in that latency run | $up_paced | $gw_paced | | |
| stream time to first byte p50, one at a time (ms) | $up_ttfb | $gw_ttfb | $added_ttfb | ≤ 2 |
| gateway resident memory after the runs (MB) | | $((rss_kb / 1024)) | | ≤ 150 |

Run on $(date -u +%Y-%m-%d) ($(nproc) cores, $(uname -m), wrk, nginx, PostgreSQL and Redis on the same machine),
${duration}s per wrk run, release build, PostgreSQL with fsync on; $rows usage rows written.
${errors:+wrk reported: $errors}
TABLE
)
echo "$table"
if [ "$write" = yes ]; then
  python3 - "$table" <<'PY'
import re, sys
path = "docs/BENCHMARKS.md"
text = open(path, encoding="utf-8").read()
start, end = "<!-- gateway-bench:start -->", "<!-- gateway-bench:end -->"
text = re.sub(re.escape(start) + ".*?" + re.escape(end), start + "\n" + sys.argv[1] + "\n" + end, text, flags=re.S)
open(path, "w", encoding="utf-8").write(text)
PY
  log "docs/BENCHMARKS.md updated"
fi

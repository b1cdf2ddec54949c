#!/usr/bin/env bash
# Gateway overhead benchmark. Runs a fake OpenAI upstream (nginx answering the real SSE format) on
# loopback, then measures in the same run: wrk straight at the upstream, and wrk at the gateway's
# /v1/chat/complete with everything on (session check, rate limit, moderation, quota reserve/settle
# in Redis, the usage_logs row in PostgreSQL). Prints a Markdown table; with --write it also
# replaces the results section of docs/BENCHMARKS.md.
# Usage: bench/gateway_bench.sh [--write] [--duration 20] [--connections 32]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/gateway_lib.sh
source bench/gateway_lib.sh

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

bench_stack
gateway_port=$(free_port)
start_gateway "$gateway_port"
# Requests go round 200 users, as traffic does: each user's session, wallet and counters are looked up
# as they would be, not one user's kept hot.
tokens=$(bench_token 200)
token=${tokens%% *}

upstream_body='{"model":"gpt-4o","messages":[{"role":"user","content":"ما هي عاصمة الأردن؟"}],"stream":true}'
# Every request asks something new ({n}, see wrk_post.lua), so OpenAI's moderation is called for it.
gateway_body='{"model":"gpt-4o","messages":[{"role":"user","content":"ما هي عاصمة الأردن؟ ({n})"}],"max_tokens":16}'
upstream_url="http://127.0.0.1:$upstream_port/v1/chat/completions"
gateway_url="http://127.0.0.1:$gateway_port/v1/chat/complete"
# Each connection pauses this long on average (drawn at random, see wrk_post.lua) between requests:
# 32 connections offer about 1,000 requests/s.
target_rps=1000
pace=$(( connections * 1000 / target_rps - 2 ))
log "warming up"
run_wrk "$gateway_body" "$tokens" "$gateway_url" /dev/null 2>/dev/null || true
log "throughput: ${duration}s at $connections connections, as fast as each side answers"
run_wrk "$upstream_body" "" "$upstream_url" "$work/upstream-max.txt"
run_wrk "$gateway_body" "$tokens" "$gateway_url" "$work/gateway-max.txt"
log "latency: ${duration}s at $connections connections pacing ${pace} ms (about 1,000 requests/s offered)"
run_wrk "$upstream_body" "" "$upstream_url" "$work/upstream.txt" "$pace"
run_wrk "$gateway_body" "$tokens" "$gateway_url" "$work/gateway.txt" "$pace"
# The same at lighter loads: how the added latency grows with the load on the two cores.
for light in 250 500; do
  log "latency: ${duration}s at $connections connections, about $light requests/s offered"
  run_wrk "$upstream_body" "" "$upstream_url" "$work/upstream-$light.txt" $(( connections * 1000 / light - 2 ))
  run_wrk "$gateway_body" "$tokens" "$gateway_url" "$work/gateway-$light.txt" $(( connections * 1000 / light - 2 ))
done
rss_kb=$(ps -o rss= -p "$gateway_pid" | tr -d ' ')

errors=$(grep -h -E 'Non-2xx|Socket errors' "$work"/gateway*.txt || true)
up50=$(to_ms "$(percentile 50% "$work/upstream.txt")"); up99=$(to_ms "$(percentile 99% "$work/upstream.txt")")
gw50=$(to_ms "$(percentile 50% "$work/gateway.txt")"); gw99=$(to_ms "$(percentile 99% "$work/gateway.txt")")
gw_max=$(rps "$work/gateway-max.txt"); up_max=$(rps "$work/upstream-max.txt")
gw_paced=$(rps "$work/gateway.txt"); up_paced=$(rps "$work/upstream.txt")
rows=$(psql -h 127.0.0.1 -p "$pg_port" -U studio -d bench -qAtc "SELECT count(*) FROM usage_logs")

# Time to first byte of a stream, sequentially, upstream then gateway.
ttfb() {
  local url=$1 body=$2 auth=$3 run
  run=$(date +%s%N)
  for i in $(seq 1 200); do
    curl -s -o /dev/null -w '%{time_starttransfer}\n' -X POST -H 'Content-Type: application/json' ${auth:+-H "Authorization: Bearer $auth"} \
      --data "${body//\{n\}/$run-$i}" "$url"
  done | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int(NR/2)]*1000}'
}
stream_body='{"model":"gpt-4o","messages":[{"role":"user","content":"ما هي عاصمة الأردن؟ ({n})"}],"max_tokens":16,"stream":true}'
up_ttfb=$(ttfb "http://127.0.0.1:$upstream_port/v1/chat/completions" "$upstream_body" "")
gw_ttfb=$(ttfb "http://127.0.0.1:$gateway_port/v1/chat/complete" "$stream_body" "$token")

added50=$(awk -v a="$gw50" -v b="$up50" 'BEGIN {printf "%.2f", a-b}')
added99=$(awk -v a="$gw99" -v b="$up99" 'BEGIN {printf "%.2f", a-b}')
# light_rows LOAD: the p50 and p99 rows of the run at about LOAD requests/s.
light_rows() {
  local u50 u99 g50 g99
  u50=$(to_ms "$(percentile 50% "$work/upstream-$1.txt")"); u99=$(to_ms "$(percentile 99% "$work/upstream-$1.txt")")
  g50=$(to_ms "$(percentile 50% "$work/gateway-$1.txt")"); g99=$(to_ms "$(percentile 99% "$work/gateway-$1.txt")")
  echo "| latency p50 at about $1 requests/s offered (ms) | $u50 | $g50 | $(awk -v a="$g50" -v b="$u50" 'BEGIN {printf "%.2f", a-b}') | |"
  echo "| latency p99 at about $1 requests/s offered (ms) | $u99 | $g99 | $(awk -v a="$g99" -v b="$u99" 'BEGIN {printf "%.2f", a-b}') | |"
}
added_ttfb=$(awk -v a="$gw_ttfb" -v b="$up_ttfb" 'BEGIN {printf "%.2f", a-b}')
table=$(cat <<TABLE
| measure | upstream alone | through the gateway | added | target |
|---|---|---|---|---|
| requests/s, $connections connections, no pause (most sustained) | $up_max | $gw_max | | ≥ 1000 |
| latency p50 at about 1,000 requests/s offered (ms) | $up50 | $gw50 | $added50 | ≤ 2 |
| latency p99 at about 1,000 requests/s offered (ms) | $up99 | $gw99 | $added99 | ≤ 10 |
| requests/s served in that latency run | $up_paced | $gw_paced | | |
$(light_rows 500)
$(light_rows 250)
| stream time to first byte p50, one at a time (ms) | $up_ttfb | $gw_ttfb | $added_ttfb | ≤ 2 |
| gateway resident memory after the runs (MB) | | $((rss_kb / 1024)) | | ≤ 150 |

Run on $(date -u +%Y-%m-%d) ($(nproc) cores, $(uname -m), wrk, nginx, PostgreSQL and Redis on the same machine),
${duration}s per wrk run, release build with one event loop (as on ECS), requests spread over 200 users, each asking something new,
PostgreSQL with fsync on; $rows usage rows and as many conversations written.
${errors:+wrk reported: $errors}
TABLE
)
echo "$table"
if [ "$write" = yes ]; then write_section gateway-bench "$table"; fi

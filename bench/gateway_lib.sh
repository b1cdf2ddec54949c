# Shared by the gateway benchmarks (sourced): a release gateway in front of a fake OpenAI upstream
# (nginx answering the real SSE format) on loopback, with PostgreSQL and Redis of its own.
# The same nginx also answers POST /v1/moderations as OpenAI's moderation endpoint does (nothing
# flagged), and POST /v1/traces as an OTLP/HTTP collector would (200, empty protobuf).
# shellcheck shell=bash
# shellcheck source=scripts/lib/stack.sh
source scripts/lib/stack.sh

secret="bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"
gateway_pid=""

# bench_stack: builds the release gateway, starts PostgreSQL, Redis and the upstream in $work.
bench_stack() {
  ensure_packages wrk nginx-light
  log "building the gateway in release mode (the first time takes a while)"
  swift build -c release --product GatewayService >/dev/null
  bin=$(swift build -c release --show-bin-path)
  work=$(mktemp -d /tmp/aistudio-bench.XXXXXX)
  chmod 755 "$work"
  trap bench_cleanup EXIT
  pg_port=$(free_port); redis_port=$(free_port); upstream_port=$(free_port)
  start_postgres "$work/postgres" "$pg_port"
  psql -h 127.0.0.1 -p "$pg_port" -U studio -d postgres -qc "CREATE DATABASE bench"
  start_redis "$work/redis" "$redis_port"
  local sse sse_quoted
  sse='data: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"مرحبًا"},"finish_reason":null}],"usage":null}\n\ndata: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}\n\ndata: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}\n\ndata: [DONE]\n\n'
  sse_quoted=${sse//\"/\\\"}
  # OpenAI's moderation answer (the gateway checks every prompt with it when an OpenAI key is set).
  local moderation moderation_quoted
  moderation='{"id":"modr-b","model":"omni-moderation-latest","results":[{"flagged":false,"categories":{"harassment":false,"hate":false,"illicit":false,"self-harm":false,"sexual":false,"violence":false},"category_scores":{"harassment":0.0001,"hate":0.00001,"illicit":0.00001,"self-harm":0.000002,"sexual":0.00002,"violence":0.0001}}]}'
  moderation_quoted=${moderation//\"/\\\"}
  cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/body;
  client_max_body_size 16m;
  server {
    listen 127.0.0.1:$upstream_port;
    location /v1/traces { default_type application/x-protobuf; return 200 ""; }
    location /v1/moderations { default_type application/json; return 200 "$moderation_quoted"; }
    location / { default_type text/event-stream; return 200 "$sse_quoted"; }
  }
}
NGINX
  nginx -c "$work/nginx.conf"
}

bench_cleanup() {
  stop_gateway
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  stop_stack
  rm -rf "$work"
}

# start_gateway PORT [NAME=VALUE...]: the release gateway against the stack, ready to answer. It runs
# one event loop, as on ECS (one per whole vCPU of the task; the gateway's task has half of one):
# here PostgreSQL, Redis, nginx and wrk share the machine's other core.
start_gateway() {
  local port=$1
  shift
  env ENV=test PORT="$port" LOG_LEVEL=info NIO_SINGLETON_GROUP_LOOP_COUNT="${BENCH_LOOPS:-1}" DATABASE_URL="postgres://studio@127.0.0.1:$pg_port/bench?sslmode=disable" \
    REDIS_URL="redis://127.0.0.1:$redis_port/0" JWT_SECRET=$secret OPENAI_API_KEY=sk-bench \
    OPENAI_BASE_URL="http://127.0.0.1:$upstream_port" RATE_LIMIT_PER_MINUTE=100000 "$@" \
    "$bin/GatewayService" >>"$work/gateway.log" 2>&1 &
  gateway_pid=$!
  for _ in $(seq 1 150); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  log "the gateway did not become ready:"; tail -20 "$work/gateway.log"; exit 1
}

stop_gateway() {
  if [ -n "$gateway_pid" ]; then
    kill -TERM "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
    gateway_pid=""
  fi
}

# bench_token [N]: N users (default 1) on Creator with a very large add-on (the quota is checked on every
# request but never runs out); prints a session token for each, separated by spaces.
bench_token() {
  local users
  users=$(psql -h 127.0.0.1 -p "$pg_port" -U studio -d bench -qAtc "
    WITH u AS (INSERT INTO users (email)
               SELECT 'bench-' || gen_random_uuid() || '@example.jo' FROM generate_series(1, ${1:-1}) RETURNING id),
         s AS (INSERT INTO subscriptions (user_id, plan_id, status, current_period_start, renews_at, provider)
               SELECT id, 'creator', 'active', now() - interval '1 day', now() + interval '29 days', 'manual' FROM u),
         a AS (INSERT INTO addon_credits (user_id, addon_id, kind, amount, period_start, period_end)
               SELECT id, 'tokens_200k', 'tokens', 100000000000, now() - interval '1 day', now() + interval '29 days' FROM u)
    SELECT id FROM u")
  # shellcheck disable=SC2086 # one argument per user id
  python3 - "$secret" $users <<'PY'
import base64, hashlib, hmac, json, sys, time
b = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
head = b(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
tokens = []
for user in sys.argv[2:]:
    body = b(json.dumps({"sub": user, "iat": int(time.time()), "exp": int(time.time()) + 3600, "ver": 1}).encode())
    sig = b(hmac.new(sys.argv[1].encode(), f"{head}.{body}".encode(), hashlib.sha256).digest())
    tokens.append(f"{head}.{body}.{sig}")
print(" ".join(tokens))
PY
}

# run_wrk BODY TOKENS URL OUT [PAUSE_MS]: (TOKENS: one session token or several, separated by spaces) $duration seconds at $connections connections (the caller sets both).
run_wrk() {
  BENCH_BODY=$1 BENCH_TOKEN=$2 BENCH_DELAY_MS=${5:-0} BENCH_RUN=$(date +%s%N) wrk -t1 -c"${connections:?}" -d"${duration:?}s" --latency \
    -s bench/wrk_post.lua "$3" >"$4"
}
percentile() { awk -v p="$1" '$1 == p {print $2}' "$2"; }
to_ms() {
  awk '{ v=$1; if (v ~ /us$/) { sub(/us/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms/,"",v); print v+0 } else if (v ~ /s$/) { sub(/s/,"",v); print v*1000 } }' <<<"$1"
}
rps() { awk '/Requests\/sec/ {printf "%.0f", $2}' "$1"; }

# write_section NAME TABLE: replaces <!-- NAME:start --> … <!-- NAME:end --> in docs/BENCHMARKS.md.
write_section() {
  python3 - "$1" "$2" <<'PY'
import re, sys
path = "docs/BENCHMARKS.md"
text = open(path, encoding="utf-8").read()
start, end = f"<!-- {sys.argv[1]}:start -->", f"<!-- {sys.argv[1]}:end -->"
if start not in text:
    sys.exit(f"{path} has no {start}")
text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: start + "\n" + sys.argv[2] + "\n" + end, text, flags=re.S)
open(path, "w", encoding="utf-8").write(text)
PY
  log "docs/BENCHMARKS.md updated"
}

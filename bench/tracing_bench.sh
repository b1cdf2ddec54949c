#!/usr/bin/env bash
# Tracing cost benchmark. The release gateway in front of the fake OpenAI upstream (bench/gateway_lib.sh),
# run three times against the same stack: tracing off; tracing on with the collector answering (nginx
# takes POST /v1/traces as an OTLP/HTTP collector would); tracing on with the collector down (nothing
# listens on its port). Each run: wrk at a fixed offered rate below saturation, so latency is the
# request's own; then the gateway's otel_spans_dropped_total from /metrics. Prints a Markdown table;
# with --write it also replaces the tracing section of docs/BENCHMARKS.md.
# Usage: bench/tracing_bench.sh [--write] [--duration 20] [--connections 16] [--rate 400]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/gateway_lib.sh
source bench/gateway_lib.sh

write=no
duration=20
connections=16
rate=400
while [ $# -gt 0 ]; do
  case $1 in
    --write) write=yes ;;
    --duration) duration=$2; shift ;;
    --connections) connections=$2; shift ;;
    --rate) rate=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

bench_stack
token=""
# Every request asks something new ({n}, see wrk_post.lua), so OpenAI's moderation is called for it.
body='{"model":"gpt-4o","messages":[{"role":"user","content":"ما هي عاصمة الأردن؟ ({n})"}],"max_tokens":16}'
pace=$(( connections * 1000 / rate ))
down_port=$(free_port)

rows=""
for mode in off up down; do
  port=$(free_port)
  case $mode in
    off) start_gateway "$port" ;;
    up) start_gateway "$port" OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$upstream_port" ;;
    down) start_gateway "$port" OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$down_port" ;;
  esac
  url="http://127.0.0.1:$port/v1/chat/complete"
  [ -n "$token" ] || token=$(bench_token) # the first gateway has made the tables
  log "tracing $mode: warming up, then ${duration}s at $connections connections pacing ${pace} ms (about $rate requests/s)"
  duration=5 run_wrk "$body" "$token" "$url" /dev/null "$pace" 2>/dev/null || true
  run_wrk "$body" "$token" "$url" "$work/$mode.txt" "$pace"
  sleep 2 # the batch processor's next tick reports what it dropped
  metrics=$(curl -s "http://127.0.0.1:$port/metrics")
  dropped=$(awk '$1 ~ /^otel_spans_dropped_total/ {s += $2} END {printf "%.0f", s}' <<<"$metrics")
  requests=$(awk '$1 ~ /^http_requests_total/ && /endpoint="\/v1\/chat\/complete"/ {s += $2} END {printf "%.0f", s}' <<<"$metrics")
  rss_kb=$(ps -o rss= -p "$gateway_pid" | tr -d ' ')
  stop_gateway
  errors=$(grep -h -E 'Non-2xx|Socket errors' "$work/$mode.txt" || true)
  label=$(case $mode in off) echo "off" ;; up) echo "on, collector answering" ;; down) echo "on, collector down" ;; esac)
  rows+="| $label | $(rps "$work/$mode.txt") | $(to_ms "$(percentile 50% "$work/$mode.txt")") | $(to_ms "$(percentile 99% "$work/$mode.txt")") | $requests | ${dropped:-0} | $((rss_kb / 1024)) |${errors:+ wrk: $errors}
"
done

table=$(cat <<TABLE
| tracing | requests/s served | latency p50 (ms) | latency p99 (ms) | chat requests counted | spans dropped (otel_spans_dropped_total) | resident memory (MB) |
|---|---|---|---|---|---|---|
${rows%$'\n'}

Run on $(date -u +%Y-%m-%d) ($(nproc) cores, $(uname -m)), release build, ${duration}s per run at about $rate requests/s
offered over $connections connections, every span sampled (about 15 spans a request: server, auth, rate limit,
moderation, quota reserve and settle, provider, and their PostgreSQL and Redis calls).
TABLE
)
echo "$table"
if [ "$write" = yes ]; then write_section tracing-bench "$table"; fi

#!/usr/bin/env bash
# Brings the whole studio up on this machine: installs missing system packages, starts a private
# PostgreSQL and Redis under .data/ on loopback, builds, runs the four services (they apply the
# database migrations as they start), prints the URL, and stops everything on Ctrl-C.
# Running it again reuses the same data.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=scripts/lib/stack.sh
source scripts/lib/stack.sh

PG_PORT=${PG_PORT:-54329}
REDIS_PORT=${REDIS_PORT:-63799}
WEB_PORT=${WEB_PORT:-8080}
BACKEND_PORT=${BACKEND_PORT:-8081}
GATEWAY_PORT=${GATEWAY_PORT:-8082}
WORKER_PORT=${WORKER_PORT:-8083}
data="$root/.data"

ensure_packages
ensure_office "$root/.venv-office"
mkdir -p "$data/logs"

if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$data"; then
  log "the postgres user cannot reach $data; make the folders above it traversable (chmod o+x) or clone elsewhere"
  exit 1
fi

services=()
shutdown() {
  trap - INT TERM EXIT
  log "stopping the studio"
  for pid in "${services[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${services[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_stack
  log "stopped"
}
trap shutdown EXIT
trap 'exit 0' INT TERM

for port in "$PG_PORT" "$REDIS_PORT" "$WEB_PORT" "$BACKEND_PORT" "$GATEWAY_PORT" "$WORKER_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "port $port is already in use (an earlier run still going?); set PG_PORT, REDIS_PORT, WEB_PORT… to other ports"
    exit 1
  fi
done

start_postgres "$data/postgres" "$PG_PORT"
psql -h 127.0.0.1 -p "$PG_PORT" -U studio -d postgres -qAtc "SELECT 1 FROM pg_database WHERE datname = 'studio'" | grep -q 1 \
  || psql -h 127.0.0.1 -p "$PG_PORT" -U studio -d postgres -qc "CREATE DATABASE studio"
start_redis "$data/redis" "$REDIS_PORT"

if [ ! -f .env ]; then
  log "writing .env (local settings; never committed)"
  cat >.env <<ENV
ENV=local
LOG_LEVEL=info
DATABASE_URL=postgres://studio@127.0.0.1:$PG_PORT/studio?sslmode=disable
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')
BASE_URL=http://127.0.0.1:$WEB_PORT
ENV
fi

log "building (the first build takes several minutes)"
swift build --product BackendService
swift build --product GatewayService
swift build --product WorkerService
swift build --product WebService
bin=$(swift build --show-bin-path)

run() {
  local name=$1 exe=$2 port=$3
  shift 3
  env PORT="$port" DATABASE_URL="postgres://studio@127.0.0.1:$PG_PORT/studio?sslmode=disable" \
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" "$@" "$bin/$exe" >>"$data/logs/$name.log" 2>&1 &
  services+=($!)
}
run backend BackendService "$BACKEND_PORT"
run gateway GatewayService "$GATEWAY_PORT"
run worker WorkerService "$WORKER_PORT" UNOSERVER_BIN="$root/.venv-office/bin/unoserver"
# The site is served from the source tree, so an edited page or script shows on reload.
run web WebService "$WEB_PORT" WEB_ROOT="$PWD/Sources/WebService/Public" BACKEND_URL="http://127.0.0.1:$BACKEND_PORT" GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT"

for pair in "backend:$BACKEND_PORT" "gateway:$GATEWAY_PORT" "worker:$WORKER_PORT" "web:$WEB_PORT"; do
  name=${pair%%:*}
  port=${pair##*:}
  ready=no
  for _ in $(seq 1 150); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=yes; break; fi
    sleep 0.2
  done
  if [ "$ready" = yes ]; then log "$name ready on http://127.0.0.1:$port"; else
    log "$name did not become ready; last lines of .data/logs/$name.log:"; tail -20 "$data/logs/$name.log"; exit 1
  fi
done

cat <<MSG

  AI Studio is running:  http://127.0.0.1:$WEB_PORT
  logs: .data/logs/   database: postgres://studio@127.0.0.1:$PG_PORT/studio   redis: 127.0.0.1:$REDIS_PORT
  Ctrl-C stops everything.

MSG
wait -n "${services[@]}" || true
log "a service stopped; see .data/logs/"

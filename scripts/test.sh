#!/usr/bin/env bash
# The one test command: starts a throwaway PostgreSQL, Redis and AWS emulator on free loopback
# ports, runs `swift test` (arguments are passed on, e.g. --filter), then the service smoke test
# and the browser tests (scripts/browser_test.sh), and tears everything down. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/stack.sh
source scripts/lib/stack.sh

work=$(mktemp -d /tmp/aistudio-test.XXXXXX)
chmod 755 "$work"
cleanup() { stop_stack; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_office

pg_port=$(free_port)
redis_port=$(free_port)
moto_port=$(free_port)
PG_FSYNC=off start_postgres "$work/postgres" "$pg_port"
start_redis "$work/redis" "$redis_port"
start_moto "$moto_port" "$work/moto.log"

export TEST_DATABASE_URL="postgres://studio@127.0.0.1:$pg_port/postgres?sslmode=disable"
export TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export TEST_AWS_ENDPOINT="http://127.0.0.1:$moto_port"

if [ "${SMOKE_ONLY:-0}" != 1 ]; then
  started=$(date +%s)
  swift test "$@"
  log "swift test finished in $(( $(date +%s) - started ))s"
fi

if [ $# -eq 0 ] && [ "${SKIP_SMOKE:-0}" != 1 ]; then
  scripts/smoke_test.sh
fi

if [ $# -eq 0 ] && [ "${SKIP_BROWSER:-0}" != 1 ]; then
  started=$(date +%s)
  scripts/browser_test.sh
  log "browser tests finished in $(( $(date +%s) - started ))s"
fi

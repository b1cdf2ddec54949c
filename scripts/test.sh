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
  swift build --build-tests
  log "tests built in $(( $(date +%s) - started ))s"
  started=$(date +%s)
  # A test that never ends fails the run after SWIFT_TEST_TIMEOUT seconds, naming what had not finished.
  status=0
  timeout -k 15 "${SWIFT_TEST_TIMEOUT:-900}" swift test --skip-build "$@" 2>&1 | tee "$work/swift-test.log" || status=$?
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    pkill -9 -f 'AIStudioPackageTests.xctest' || true
    log "swift test did not finish within ${SWIFT_TEST_TIMEOUT:-900}s; tests started and not finished:"
    scripts/lib/unfinished_tests.py "$work/swift-test.log" >&2
  fi
  [ "$status" -eq 0 ] || exit "$status"
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

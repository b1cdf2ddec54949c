#!/usr/bin/env bash
# The browser tests: starts the four built services in local mode (dev mailbox, local fake HyperPay,
# offline demo providers) against the database and Redis that scripts/test.sh provides, and walks
# every page in Debian's Chromium with scripts/browser_check.py. Without Chromium it says so and
# exits 0 (the only skip); any failed check fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/stack.sh
source scripts/lib/stack.sh
: "${TEST_DATABASE_URL:?run through scripts/test.sh}" "${TEST_REDIS_URL:?run through scripts/test.sh}"

if [ ! -x /usr/bin/chromium ]; then
  echo "browser tests SKIPPED: /usr/bin/chromium is missing (apt-get install chromium)"
  exit 0
fi
ensure_browser

bin=$(swift build --show-bin-path)
for exe in BackendService GatewayService WorkerService WebService; do
  [ -x "$bin/$exe" ] || swift build --product "$exe" >/dev/null
done
logs=$(mktemp -d /tmp/aistudio-browser.XXXXXX)
database_url=${TEST_DATABASE_URL/\/postgres\?/\/browser?}
psql "$TEST_DATABASE_URL" -qAtc "DROP DATABASE IF EXISTS browser" -c "CREATE DATABASE browser" >/dev/null

declare -A ports
pids=()
for service in backend gateway worker web; do ports[$service]=$(free_port); done
# The services stop, then their logs and files go (a failing run prints the log tails first).
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$logs"
}
trap stop EXIT
common=(ENV=local LOG_LEVEL=info DATABASE_URL="$database_url" REDIS_URL="$TEST_REDIS_URL" REDIS_KEY_PREFIX="browser:"
  JWT_SECRET=browser-test-secret-0123456789abcdefghij STORAGE_DIR="$logs/storage" OUTBOX_DIR="$logs/outbox"
  BASE_URL="http://127.0.0.1:${ports[web]}" MAGIC_LINK_LIMIT_PER_IP=100)
run() {
  local service=$1 exe=$2
  shift 2
  # Started from the log folder, so a developer's .env does not fill in settings.
  (cd "$logs" && exec env "${common[@]}" PORT="${ports[$service]}" "$@" "$bin/$exe" >"$logs/$service.log" 2>&1) &
  pids+=($!)
}
run backend BackendService GATEWAY_INTERNAL_URL="http://127.0.0.1:${ports[gateway]}"
run gateway GatewayService
run worker WorkerService UNOSERVER_BIN="$PWD/.venv-office/bin/unoserver"
run web WebService BACKEND_URL="http://127.0.0.1:${ports[backend]}" GATEWAY_URL="http://127.0.0.1:${ports[gateway]}"
for service in backend gateway worker web; do
  for _ in $(seq 1 150); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${ports[$service]}/readyz" || true)" = 200 ] && break
    sleep 0.2
  done
done

status=0
.venv-browser/bin/python scripts/browser_check.py "http://127.0.0.1:${ports[web]}" || status=$?
if [ "$status" != 0 ]; then
  for service in backend gateway worker web; do
    echo "--- last lines of $service.log"
    tail -n 20 "$logs/$service.log"
  done
fi
exit "$status"

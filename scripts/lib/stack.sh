# Shared by dev_bootstrap.sh and test.sh: install system packages, start a private PostgreSQL and
# Redis on loopback, and stop them again. Source it; it defines functions and changes nothing.

STACK_PIDS=()
STACK_PG_DIRS=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Debian packages the studio needs on a developer's machine and in CI.
STACK_APT_PACKAGES=(postgresql redis-server zlib1g-dev pkg-config python3 python3-venv curl
  ca-certificates ffmpeg fonts-hosny-amiri fonts-noto-core libreoffice-writer-nogui libreoffice-impress-nogui
  python3-uno poppler-utils chromium tesseract-ocr tesseract-ocr-ara tesseract-ocr-eng)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_packages() {
  local missing=()
  for pkg in "${STACK_APT_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# unoserver (LibreOffice kept warm for DOCX/PPTX → PDF) in .venv-office. It must run on Debian's own
# /usr/bin/python3, the only one python3-uno works with, so the venv sees the system site-packages.
ensure_office() {
  local venv=${1:-.venv-office}
  if [ ! -x "$venv/bin/unoserver" ]; then
    log "installing unoserver into $venv"
    /usr/bin/python3 -m venv --system-site-packages "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'unoserver==3.7'
  fi
  "$venv/bin/python" -c 'import uno' || { log "python3-uno is not importable from $venv"; return 1; }
}

# Playwright for Python (driving Debian's Chromium, no browser download) and axe-core in .venv-browser.
ensure_browser() {
  local venv=${1:-.venv-browser}
  if ! "$venv/bin/python" -c 'import playwright, axe_playwright_python' 2>/dev/null; then
    log "installing Playwright and axe-core into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'playwright==1.65.2' 'axe-playwright-python==0.1.8'
  fi
}

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && echo "$dir"; done | sort -V | tail -1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Runs a command as the postgres user when we are root (PostgreSQL refuses to run as root).
as_pg_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_postgres DIR PORT: a cluster in DIR (created if missing) with superuser "studio", trust auth on loopback.
# PG_FSYNC=off for throwaway test clusters; PG_OPTIONS adds server settings (e.g. "-c wal_compression=on").
start_postgres() {
  local dir=$1 port=$2 bin
  bin=$(pg_bin)
  [ -n "$bin" ] || { log "PostgreSQL binaries not found (apt-get install postgresql)"; return 1; }
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
  chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_pg_user "$bin/initdb" -D "$dir" -U studio --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  mkdir -p "$dir/socket"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir/socket"; fi
  as_pg_user "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir/socket -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${PG_FSYNC:-on} ${PG_OPTIONS:-}" start >/dev/null
  STACK_PG_DIRS+=("$dir")
  log "postgres ready on 127.0.0.1:$port"
}

# start_redis DIR PORT
start_redis() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no \
    --daemonize no --logfile "$dir/redis.log" &
  local pid=$!
  STACK_PIDS+=("$pid")
  # Up to 30 s: a loaded 2-core machine can be slow to schedule it.
  for _ in $(seq 1 300); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && { log "redis ready on 127.0.0.1:$port"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  log "redis did not start on port $port; its log:"
  tail -n 20 "$dir/redis.log" >&2 || true
  return 1
}

# start_moto PORT: an AWS emulator (Secrets Manager and friends) on loopback, if moto is installed.
start_moto() {
  local port=$1
  command -v moto_server >/dev/null 2>&1 || { log "moto_server not installed"; return 1; }
  moto_server -H 127.0.0.1 -p "$port" >"${2:-/dev/null}" 2>&1 &
  STACK_PIDS+=($!)
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && { log "moto ready on 127.0.0.1:$port"; return 0; }
    sleep 0.2
  done
  log "moto did not start"; return 1
}

stop_stack() {
  local pid dir bin
  for pid in "${STACK_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${STACK_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  STACK_PIDS=()
  bin=$(pg_bin)
  for dir in "${STACK_PG_DIRS[@]}"; do
    as_pg_user "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
  done
  STACK_PG_DIRS=()
}

#!/usr/bin/env bash
# Documents benchmark: a release backend and worker (with its warm LibreOffice) on a throwaway PostgreSQL
# and Redis. Measures, one request at a time over HTTP: CV DOCX and 10-slide PPTX generation (the whole
# request: validation, document, storage, database row), a CV's end-to-end PDF (request → worker →
# LibreOffice → stored, warm), the worker's DOCX→PDF conversion time and the queue wait (enqueue → start)
# from its log lines. Prints a Markdown table; with --write it replaces the documents section of
# docs/BENCHMARKS.md.
# Usage: bench/documents_bench.sh [--write] [--runs 50]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/stack.sh
source scripts/lib/stack.sh

write=no
runs=50
while [ $# -gt 0 ]; do
  case $1 in
    --write) write=yes ;;
    --runs) runs=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

# shellcheck disable=SC2119 # no extra packages: the stack's own list
ensure_packages
ensure_office
log "building the backend and the worker in release mode (the first time takes a while)"
swift build -c release --product BackendService >/dev/null
swift build -c release --product WorkerService >/dev/null
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d /tmp/aistudio-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_stack
  rm -rf "$work"
}
trap cleanup EXIT

pg_port=$(free_port); redis_port=$(free_port); backend_port=$(free_port); worker_port=$(free_port)
start_postgres "$work/postgres" "$pg_port"
psql -h 127.0.0.1 -p "$pg_port" -U studio -d postgres -qc "CREATE DATABASE bench"
start_redis "$work/redis" "$redis_port"
common=(ENV=local LOG_LEVEL=info DATABASE_URL="postgres://studio@127.0.0.1:$pg_port/bench?sslmode=disable"
  REDIS_URL="redis://127.0.0.1:$redis_port/0" JWT_SECRET=bench-secret-0123456789abcdefghijklmnopqrstuvwxyz
  STORAGE_DIR="$work/storage" OUTBOX_DIR="$work/outbox" BASE_URL="http://127.0.0.1:$backend_port"
  SIGNUP_TRIAL_PLAN=creator CV_PDF_WAIT_SECONDS=30 MAGIC_LINK_LIMIT_PER_EMAIL=100 PAYMENTS_FAKE_OPPWA=false)
env "${common[@]}" PORT="$backend_port" "$bin/BackendService" >"$work/backend.log" 2>&1 &
pids+=($!)
env "${common[@]}" PORT="$worker_port" UNOSERVER_BIN="$PWD/.venv-office/bin/unoserver" "$bin/WorkerService" \
  >"$work/worker.log" 2>&1 &
pids+=($!)
for port in "$backend_port" "$worker_port"; do
  for _ in $(seq 1 150); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
done
# The worker starts LibreOffice at boot; wait until it answers.
for _ in $(seq 1 150); do grep -q "LibreOffice listener ready" "$work/worker.log" && break; sleep 0.2; done

table=$(python3 - "http://127.0.0.1:$backend_port" "$work" "$runs" <<'PY'
import glob, json, statistics, sys, time, urllib.request, http.cookiejar

base, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

def call(path, body=None):
    headers = {"Content-Type": "application/json"}
    for cookie in jar:
        if cookie.name == "csrf_token":
            headers["X-CSRF-Token"] = cookie.value
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, headers=headers, method="POST" if body is not None else "GET")
    with opener.open(request, timeout=60) as response:
        return json.load(response)

email = "bench@example.jo"
call("/v1/auth/magic-link", {"email": email, "locale": "ar"})
mail = json.load(open(sorted(glob.glob(work + "/outbox/*.json"))[-1]))
call("/v1/auth/magic-link/verify", {"email": email, "code": mail["notes"]["code"]})

cv = {"full_name": "سارة أحمد الخطيب", "headline": "مهندسة برمجيات", "email": "sara@example.jo",
      "phone": "+962 79 123 4567", "location": "عمّان، الأردن",
      "summary": "مهندسة برمجيات بخبرة خمس سنوات في بناء تطبيقات ويب عربية سريعة وآمنة.",
      "experience": [{"title": "مهندسة برمجيات", "company": "شركة أمنية", "start": "2021", "end": "2024",
                      "bullets": ["طوّرت نظام دفع يخدم 200,000 مستخدم", "قدت فريقًا من 4 مطورين"]}] * 3,
      "education": [{"degree": "بكالوريوس علم الحاسوب", "school": "الجامعة الأردنية", "end": "2019"}],
      "skills": ["Swift", "PostgreSQL", "تحليل البيانات"], "languages": [{"name": "العربية", "level": "اللغة الأم"}]}
deck = {"title": "الطاقة الشمسية في الأردن", "subtitle": "لطلاب الجامعة",
        "slides": [{"title": f"المحور {i}", "bullets": ["النقطة الأولى", "النقطة الثانية", "النقطة الثالثة"],
                    "notes": "ملاحظة للمتحدث"} for i in range(1, 10)]}

def timed(fn, n):
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples

def pct(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

def ready_pdf():
    files = call("/v1/cv/generate", {"form": cv, "language": "ar", "formats": ["pdf"]})["files"]
    assert files[0]["status"] == "ready", files

timed(lambda: call("/v1/cv/generate", {"form": cv, "language": "ar", "formats": ["docx"]}), 5)  # warm-up
docx = timed(lambda: call("/v1/cv/generate", {"form": cv, "language": "ar", "formats": ["docx"]}), runs)
pptx = timed(lambda: call("/v1/slides/generate", {"outline": deck, "language": "ar", "formats": ["pptx"]}), runs)
ready_pdf()  # warm-up: LibreOffice loads its Writer filters on the first document
pdf = timed(ready_pdf, max(10, runs // 2))

convert, queue = [], []
for line in open(work + "/worker.log", encoding="utf-8"):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    if entry.get("msg") == "document converted" and "ms" in entry:
        convert.append(float(entry["ms"]))
    if entry.get("msg") == "job done" and entry.get("kind") == "doc_convert" and entry.get("queue_ms", "-") != "-":
        queue.append(float(entry["queue_ms"]))
convert, queue = convert[1:], queue[1:]  # without the cold first conversion

rows = [
    ("CV DOCX, whole request (ms)", docx, "≤ 50 (generation)"),
    ("10-slide PPTX, whole request (ms)", pptx, "≤ 50 (generation)"),
    ("CV PDF end to end, warm (ms)", pdf, "≤ 2000"),
    ("DOCX → PDF in the worker, warm (ms)", convert, "p95 ≤ 1500"),
    ("queue wait, enqueue → start (ms)", queue, "p50 ≤ 20"),
]
print("| measure | runs | p50 | p95 | target |")
print("|---|---|---|---|---|")
for name, samples, target in rows:
    if samples:
        print(f"| {name} | {len(samples)} | {pct(samples, 50):.1f} | {pct(samples, 95):.1f} | {target} |")
PY
)
rss_kb=$(ps -o rss= -p "${pids[1]}" | tr -d ' ')
table="$table

Run on $(date -u +%Y-%m-%d) ($(nproc) cores, $(uname -m)), release build, backend, worker, LibreOffice (unoserver),
PostgreSQL and Redis on the same machine, one request at a time; worker resident memory after the runs:
$((rss_kb / 1024)) MB (LibreOffice runs in its own processes)."
echo "$table"
if [ "$write" = yes ]; then
  python3 - "$table" <<'PY'
import re, sys
path = "docs/BENCHMARKS.md"
text = open(path, encoding="utf-8").read()
start, end = "<!-- documents-bench:start -->", "<!-- documents-bench:end -->"
if start not in text:
    text = text.rstrip("\n") + "\n\n## Documents\n\n`bench/documents_bench.sh --write` (about 15 minutes the first time: release builds).\n\n" + start + "\n" + end + "\n"
text = re.sub(re.escape(start) + ".*?" + re.escape(end), start + "\n" + sys.argv[1] + "\n" + end, text, flags=re.S)
open(path, "w", encoding="utf-8").write(text)
PY
  log "docs/BENCHMARKS.md updated"
fi

#!/usr/bin/env bash
# Starts the four built services against the database and Redis named by TEST_DATABASE_URL and
# TEST_REDIS_URL (scripts/test.sh provides them), checks that every /readyz answers 200, that
# SIGTERM stops each within 5 s with exit status 0, and that an unresolvable secret stops a
# service at boot with one clear line.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${TEST_DATABASE_URL:?run through scripts/test.sh}" "${TEST_REDIS_URL:?run through scripts/test.sh}"

passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'smoke ok   %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf 'smoke FAIL %s\n' "$*"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

swift build --product BackendService >/dev/null
swift build --product GatewayService >/dev/null
swift build --product WorkerService >/dev/null
swift build --product WebService >/dev/null
bin=$(swift build --show-bin-path)
logs=$(mktemp -d /tmp/aistudio-smoke.XXXXXX)

admin_url=$TEST_DATABASE_URL
database_url=${admin_url/\/postgres\?/\/smoke?}
psql "$admin_url" -qAtc "DROP DATABASE IF EXISTS smoke" -c "CREATE DATABASE smoke" >/dev/null

declare -A pids ports
for service in backend gateway worker web; do ports[$service]=$(free_port); done
common=(ENV=test LOG_LEVEL=info DATABASE_URL="$database_url" REDIS_URL="$TEST_REDIS_URL"
  REDIS_KEY_PREFIX="smoke:" JWT_SECRET=smoke-test-secret-0123456789abcdefghij STORAGE_DIR="$logs/storage"
  OUTBOX_DIR="$logs/outbox" BASE_URL="http://127.0.0.1:${ports[web]}" SIGNUP_TRIAL_PLAN=creator SIGNUP_TRIAL_DAYS=30)

start() {
  local service=$1 exe=$2
  shift 2
  env "${common[@]}" PORT="${ports[$service]}" "$@" "$bin/$exe" >"$logs/$service.log" 2>&1 &
  pids[$service]=$!
}
start backend BackendService PAYMENTS_FAKE_OPPWA=true
# The gateway and the web front trace to a collector that is not there (nothing listens on that port):
# every request below must still answer, and the spans they lose are counted.
collector_down="http://127.0.0.1:$(free_port)"
start gateway GatewayService OTEL_EXPORTER_OTLP_ENDPOINT="$collector_down" OTEL_BSP_SCHEDULE_DELAY=100
start worker WorkerService UNOSERVER_BIN="$PWD/.venv-office/bin/unoserver"
start web WebService BACKEND_URL="http://127.0.0.1:${ports[backend]}" GATEWAY_URL="http://127.0.0.1:${ports[gateway]}" \
  OTEL_EXPORTER_OTLP_ENDPOINT="$collector_down" OTEL_BSP_SCHEDULE_DELAY=100

for service in backend gateway worker web; do
  code=000
  for _ in $(seq 1 150); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${ports[$service]}/readyz" || true)
    [ "$code" = 200 ] && break
    sleep 0.2
  done
  if [ "$code" = 200 ]; then ok "$service /readyz 200"; else bad "$service /readyz answered $code"; cat "$logs/$service.log"; fi
done

plans=$(curl -s "http://127.0.0.1:${ports[web]}/v1/plans" || true)
if echo "$plans" | grep -q '"price_jod":"3.000"'; then ok "web proxies /v1/plans to the backend"; else bad "/v1/plans through web: $plans"; fi
trace=$(curl -s -D - -o /dev/null -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' \
  "http://127.0.0.1:${ports[backend]}/v1/plans" | tr -d '\r' | grep -i '^traceparent:' || true)
if echo "$trace" | grep -q '4bf92f3577b34da6a3ce929d0e0e4736'; then ok "traceparent kept"; else bad "traceparent: $trace"; fi
if grep -q '"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"' "$logs/backend.log"; then ok "log line carries trace_id"; else bad "no log line with the trace id"; fi

# A person's path through the web front: sign in with the e-mailed code, chat, draw, film, download.
web="http://127.0.0.1:${ports[web]}"
jar="$logs/cookies"
curl -s -c "$jar" -b "$jar" -X POST "$web/v1/auth/magic-link" -H 'Content-Type: application/json' \
  -d '{"email":"smoke@example.jo","locale":"ar"}' >/dev/null
mail=$(ls "$logs/outbox"/*.json 2>/dev/null | sed -n 1p)
code=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["notes"]["code"])' "$mail" 2>/dev/null || true)
curl -s -c "$jar" -b "$jar" -X POST "$web/v1/auth/magic-link/verify" -H 'Content-Type: application/json' \
  -d "{\"email\":\"smoke@example.jo\",\"code\":\"$code\"}" >"$logs/verify.json"
csrf=$(awk '$6 == "csrf_token" {print $7}' "$jar")
if [ -n "$csrf" ] && grep -q '"user"' "$logs/verify.json"; then ok "signed in with the e-mailed code"; else bad "sign-in: $(cat "$logs/verify.json")"; fi
post() { curl -s -b "$jar" -X POST "$web$1" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" -d "$2"; }
chat=$(post /v1/chat/complete '{"messages":[{"role":"user","content":"مرحبا"}],"stream":true}')
if echo "$chat" | grep -q '^event: done'; then ok "chat streamed through the web front"; else bad "chat: $chat"; fi
image=$(post /v1/images/generate '{"prompt":"قمر فوق عمّان"}')
image_url=$(echo "$image" | python3 -c 'import json,sys; print(json.load(sys.stdin)["images"][0]["url"])' 2>/dev/null || true)
if [ -n "$image_url" ] && [ "$(curl -s -o /dev/null -w '%{content_type}' "$image_url")" = image/png ]; then
  ok "image drawn, stored and downloaded"
else bad "image: $image"; fi
job=$(post /v1/video/generate '{"prompt":"غروب فوق البحر الميت","duration_s":5}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])' 2>/dev/null || true)
state=""
for _ in $(seq 1 60); do
  state=$(curl -s -b "$jar" "$web/v1/video/jobs/$job")
  echo "$state" | grep -q '"status":"done"' && break
  sleep 0.5
done
video_url=$(echo "$state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["file"]["url"])' 2>/dev/null || true)
if [ -n "$video_url" ] && curl -s -o "$logs/clip.mp4" "$video_url" \
  && [ "$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$logs/clip.mp4" | cut -d. -f1)" = 5 ]; then
  ok "5 s demo video made by the worker and downloaded"
else bad "video: $state"; fi
usage=$(curl -s -b "$jar" "$web/v1/usage/me")
if echo "$usage" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["tokens"]["used"] > 0 and d["images"]["used"] == 1 and d["videos"]["used"] == 1 else 1)'; then
  ok "usage shows the tokens, the image and the video"
else bad "usage: $usage"; fi

# An Arabic DOCX uploaded, checked, turned into a PDF by the worker's warm LibreOffice, and downloaded.
/usr/bin/python3 - "$logs/cv.docx" <<'PY'
import sys, zipfile
ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    z.writestr("word/document.xml", f'<?xml version="1.0"?><w:document xmlns:w="{ns}"><w:body><w:p><w:pPr><w:bidi/></w:pPr><w:r><w:rPr><w:rtl/></w:rPr><w:t>سيرة ذاتية من عمان</w:t></w:r></w:p></w:body></w:document>')
PY
uploaded=$(curl -s -b "$jar" -X POST "$web/v1/files" -H "X-CSRF-Token: $csrf" -F "file=@$logs/cv.docx;filename=cv.docx")
doc_id=$(echo "$uploaded" | python3 -c 'import json,sys; print(json.load(sys.stdin)["file"]["id"].lower())' 2>/dev/null || true)
for _ in $(seq 1 50); do
  curl -s -b "$jar" "$web/v1/files/$doc_id" | grep -q '"status":"ready"' && break
  sleep 0.2
done
converting=$(post "/v1/files/$doc_id/convert" '{"to":"pdf"}')
job=$(echo "$converting" | python3 -c 'import json,sys; print(json.load(sys.stdin)["job"]["id"])' 2>/dev/null || true)
result=""
for _ in $(seq 1 300); do
  result=$(curl -s -b "$jar" "$web/v1/jobs/$job" | python3 -c 'import json,sys; j=json.load(sys.stdin)["job"]; print(j["result_file_id"] or "" if j["status"] == "done" else "")' 2>/dev/null || true)
  [ -n "$result" ] && break
  sleep 0.2
done
pdf_link=$(curl -s -b "$jar" "$web/v1/files/$result/signed-url" | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])' 2>/dev/null || true)
curl -s "$pdf_link" -o "$logs/cv.pdf" || true
pdf_text=$(pdftotext "$logs/cv.pdf" - 2>/dev/null | python3 -c 'import sys, unicodedata; t = unicodedata.normalize("NFKC", sys.stdin.read()); print("".join(c for c in t if not 0x202A <= ord(c) <= 0x202E))' || true)
if [ -n "$result" ] && echo "$pdf_text" | grep -q 'سيرة ذاتية من عمان'; then
  ok "an Arabic DOCX became a PDF in the worker and reads in order"
else bad "document: upload=$uploaded convert=$converting result=$result text=$pdf_text"; fi

# Paying for Pro on the local fake HyperPay: checkout page, widget with its SRI hash, approve, the encrypted
# webhook applied by the worker, then the subscription, the raised limits and the invoice.
session=$(post /v1/payments/session '{"plan_id":"pro"}')
payment=$(echo "$session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["payment_id"].lower())' 2>/dev/null || true)
details=$(curl -s -b "$jar" "$web/v1/payments/$payment")
checkout=$(echo "$details" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checkout"]["checkout_id"])' 2>/dev/null || true)
script_url=$(echo "$details" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checkout"]["script_url"])' 2>/dev/null || true)
integrity=$(echo "$details" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checkout"]["integrity"])' 2>/dev/null || true)
page=$(curl -s -o /dev/null -w '%{http_code}' "$web/app/checkout/?payment=$payment")
actual="sha384-$(curl -s "$script_url" | openssl dgst -sha384 -binary | base64 -w0)"
if [ -n "$checkout" ] && [ "$page" = 200 ] && [ "$actual" = "$integrity" ]; then
  ok "checkout opened; its page and the widget (SRI hash matches) load through the web front"
else bad "checkout: session=$session page=$page integrity=$integrity actual=$actual"; fi
decided=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$web/v1/dev/oppwa/v1/checkouts/$checkout/decide" -d decision=approve)
state=pending
for _ in $(seq 1 75); do
  state=$(curl -s -b "$jar" "$web/v1/payments/$payment" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null || true)
  [ "$state" = paid ] && break
  sleep 0.2
done
subscription=$(curl -s -b "$jar" "$web/v1/subscription")
invoices=$(curl -s -b "$jar" "$web/v1/invoices")
if [ "$decided" = 200 ] && [ "$state" = paid ] && echo "$subscription" | grep -q '"plan_id":"pro"' \
  && echo "$subscription" | grep -q '"status":"active"' && echo "$invoices" | grep -q '"amount_jod":"5.000"'; then
  ok "approved payment: worker applied the webhook, Pro is active, invoice issued"
else bad "payment: decided=$decided state=$state subscription=$subscription invoices=$invoices"; fi
invoice_id=$(echo "$invoices" | python3 -c 'import json,sys; print(json.load(sys.stdin)["invoices"][0]["id"])' 2>/dev/null || true)
invoice_pdf=$(post "/v1/invoices/$invoice_id/pdf" '{}')
invoice_url=$(echo "$invoice_pdf" | python3 -c 'import json,sys; print(json.load(sys.stdin)["download_url"] or "")' 2>/dev/null || true)
[ -n "$invoice_url" ] && curl -s "$invoice_url" -o "$logs/invoice.pdf"
invoice_text=$(pdftotext "$logs/invoice.pdf" - 2>/dev/null | python3 -c 'import sys; print("".join(c for c in sys.stdin.read() if not 0x202A <= ord(c) <= 0x202E))' || true)
if echo "$invoice_text" | grep -q 'AIS-' && echo "$invoice_text" | grep -q '5.000 JOD' && echo "$invoice_text" | grep -q 'فاتورة'; then
  ok "the invoice downloads as a bilingual PDF"
else bad "invoice PDF: $invoice_pdf text=$invoice_text"; fi
account=$(curl -s -o /dev/null -w '%{http_code}' "$web/app/account/")
if [ "$account" = 200 ]; then ok "account page served"; else bad "account page: $account"; fi

# A worker killed with SIGKILL in the middle of a job: a new worker takes the job over once it has been
# silent for JOB_RECLAIM_IDLE_SECONDS and finishes it exactly once (one file, one video on the meter).
descendants() { local child; for child in $(pgrep -P "$1" || true); do echo "$child"; descendants "$child"; done; }
job=$(post /v1/video/generate '{"prompt":"قلعة عجلون عند الغروب","duration_s":20}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])' 2>/dev/null || true)
status_of() { curl -s -b "$jar" "$web/v1/video/jobs/$job" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null || true; }
seen=""
for _ in $(seq 1 200); do seen=$(status_of); [ "$seen" = running ] && break; sleep 0.05; done
children=$(descendants "${pids[worker]}")
kill -KILL "${pids[worker]}"; wait "${pids[worker]}" 2>/dev/null || true
for child in $children; do kill -KILL "$child" 2>/dev/null || true; done
start worker WorkerService UNOSERVER_BIN="$PWD/.venv-office/bin/unoserver" JOB_RECLAIM_IDLE_SECONDS=5
final=""
for _ in $(seq 1 120); do final=$(status_of); [ "$final" = "done" ] && break; sleep 0.5; done
videos=$(curl -s -b "$jar" "$web/v1/usage/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["videos"]["used"])' 2>/dev/null || true)
files=$(psql "$database_url" -qAtc "SELECT count(*) FROM files f JOIN jobs j ON j.result_file_id = f.id WHERE j.id = '$job'" 2>/dev/null || true)
reclaimed=$(grep -c '"msg":"job reclaimed from a stopped worker"' "$logs/worker.log" || true)
if [ "$seen" = running ] && [ "$final" = "done" ] && [ "$videos" = 1 ] && [ "$files" = 1 ] && [ "$reclaimed" -ge 1 ]; then
  ok "a worker killed mid-job: the next worker reclaimed it and finished the video once"
else bad "kill -9: seen=$seen final=$final videos=$videos files=$files reclaimed=$reclaimed"; fi

dropped=0
for _ in $(seq 1 50); do
  dropped=$(curl -s "http://127.0.0.1:${ports[gateway]}/metrics" | awk '$1 ~ /^otel_spans_dropped_total/ {s += $2} END {print s + 0}')
  [ "${dropped%.*}" -gt 0 ] && break
  sleep 0.2
done
if [ "${dropped%.*}" -gt 0 ]; then ok "collector down: requests answered, $dropped gateway spans dropped and counted"
else bad "collector down: otel_spans_dropped_total stayed at $dropped"; fi

for service in backend gateway worker web; do
  pid=${pids[$service]}
  started=$(date +%s%N)
  kill -TERM "$pid"
  status=0
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    bad "$service still running 5 s after SIGTERM"; kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
    continue
  fi
  wait "$pid" || status=$?
  elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
  if [ "$status" = 0 ]; then ok "$service exited 0 after SIGTERM in ${elapsed} ms"; else bad "$service exited $status after SIGTERM"; fi
done

if [ -n "${TEST_AWS_ENDPOINT:-}" ]; then
  status=0
  env ENV=test DATABASE_URL=aws:secretsmanager:missing REDIS_URL="$TEST_REDIS_URL" JWT_SECRET=x AWS_REGION=eu-central-1 \
    AWS_ENDPOINT_URL="$TEST_AWS_ENDPOINT" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    "$bin/BackendService" >"$logs/missing.out" 2>"$logs/missing.err" || status=$?
  lines=$(wc -l <"$logs/missing.err")
  if [ "$status" != 0 ] && [ "$lines" = 1 ] && grep -q 'DATABASE_URL' "$logs/missing.err" \
    && ! grep -q 'aws:secretsmanager:missing' "$logs/missing.err"; then
    ok "unresolvable secret stops boot with exit $status: $(cat "$logs/missing.err")"
  else
    bad "unresolvable secret: exit $status, stderr: $(cat "$logs/missing.err")"
  fi
fi

rm -rf "$logs"
echo "smoke: $passed passed, $failed failed"
[ "$failed" = 0 ]

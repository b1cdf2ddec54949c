#!/usr/bin/env bash
# Renders sample CVs and slide decks (Arabic and English) through a running local studio and saves pages as
# PNG under docs/samples/, so a reader can see what the CV Maker and the Slide Maker produce.
# Usage: scripts/dev_bootstrap.sh (in another terminal), then scripts/render_samples.sh [BASE_URL]
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-http://127.0.0.1:8080}
out=docs/samples
work=$(mktemp -d /tmp/aistudio-samples.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
jar="$work/cookies"
email="samples-$(date +%s)@example.jo"

curl -fsS -c "$jar" -b "$jar" -X POST "$base/v1/auth/magic-link" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"locale\":\"ar\"}" >/dev/null
code=$(curl -fsS "$base/v1/dev/outbox" | python3 -c '
import json, sys
for m in json.load(sys.stdin)["messages"]:
    if m["to"] == sys.argv[1]:
        print(m["notes"]["code"]); break' "$email")
curl -fsS -c "$jar" -b "$jar" -X POST "$base/v1/auth/magic-link/verify" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"code\":\"$code\"}" >/dev/null
csrf=$(awk '$6 == "csrf_token" {print $7}' "$jar")

render() {
  local name=$1 body=$2 path=${3:-/v1/cv/generate} pages=${4:-1} pdf_url
  pdf_url=$(curl -fsS -b "$jar" -X POST "$base$path" -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $csrf" -d "$body" | python3 -c '
import json, sys
files = {f["format"]: f for f in json.load(sys.stdin)["files"]}
print(files["pdf"]["download_url"] or "")')
  [ -n "$pdf_url" ] || { echo "no PDF for $name (is the worker running with LibreOffice?)" >&2; return 1; }
  curl -fsS "$pdf_url" -o "$work/$name.pdf"
  if [ "$pages" = 1 ]; then
    pdftoppm -png -r 70 -f 1 -l 1 -singlefile "$work/$name.pdf" "$out/$name"
    echo "wrote $out/$name.png"
  else
    pdftoppm -png -r 40 -f 1 -l "$pages" "$work/$name.pdf" "$out/$name"
    echo "wrote $out/$name-*.png"
  fi
}

# The Gulf-style sample's photo: a drawn silhouette (head and shoulders), uploaded and checked like any picture.
ffmpeg -v error -y -f lavfi -i color=c=0x9aa9bd:s=300x400 -frames:v 1 -vf "format=rgb24,geq=\
r='if(lt(hypot(X-150\,Y-150)\,70)+lt(hypot((X-150)/150\,(Y-430)/170)\,1)\,70\,205)':\
g='if(lt(hypot(X-150\,Y-150)\,70)+lt(hypot((X-150)/150\,(Y-430)/170)\,1)\,84\,214)':\
b='if(lt(hypot(X-150\,Y-150)\,70)+lt(hypot((X-150)/150\,(Y-430)/170)\,1)\,110\,226)'" "$work/photo.png"
photo_id=$(curl -fsS -b "$jar" -X POST "$base/v1/files" -H "X-CSRF-Token: $csrf" -F "file=@$work/photo.png;type=image/png" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["file"]["id"])')
for _ in $(seq 1 30); do
  state=$(curl -fsS -b "$jar" "$base/v1/files/$photo_id" | python3 -c 'import json, sys; print(json.load(sys.stdin)["file"]["status"])')
  [ "$state" = ready ] && break
  sleep 1
done

render cv-arabic '{"language":"ar","style":"gulf","form":{"full_name":"سارة أحمد الخطيب","headline":"مهندسة برمجيات","photo_file_id":"'"$photo_id"'",
 "email":"sara@example.jo","phone":"+962 79 123 4567","location":"عمّان، الأردن","nationality":"أردنية","date_of_birth":"1997-04-12",
 "summary":"مهندسة برمجيات بخبرة خمس سنوات في بناء تطبيقات ويب عربية سريعة وآمنة، وقيادة فرق صغيرة.",
 "experience":[{"title":"مهندسة برمجيات أولى","company":"شركة أمنية","location":"عمّان","start":"2021","end":"2024",
   "bullets":["طوّرت نظام دفع يخدم 200,000 مستخدم شهريًا","خفّضت زمن تحميل الصفحات بنسبة 40%"]},
  {"title":"مطوّرة ويب","company":"زين الأردن","start":"2019","end":"2021","bullets":["بنيت لوحات متابعة داخلية بلغة Swift"]}],
 "education":[{"degree":"بكالوريوس علم الحاسوب","school":"الجامعة الأردنية","end":"2019","details":"تقدير ممتاز"}],
 "skills":["Swift","PostgreSQL","تحليل البيانات","إدارة الفرق"],
 "languages":[{"name":"العربية","level":"اللغة الأم"},{"name":"English","level":"C1"}]}}'

render cv-english '{"language":"en","style":"ats","form":{"full_name":"Omar Haddad","headline":"Data Analyst",
 "email":"omar.haddad@example.com","phone":"+962 77 555 0101","location":"Irbid, Jordan","links":["linkedin.com/in/omarhaddad"],
 "summary":"Data analyst with three years of experience turning sales and operations data into decisions.",
 "experience":[{"title":"Data Analyst","company":"Aramex","location":"Amman","start":"2022","end":"2025",
   "bullets":["Built weekly delivery dashboards used by 12 regional managers","Automated reporting, saving 10 hours a week"]}],
 "education":[{"degree":"BSc Mathematics","school":"Yarmouk University","end":"2021"}],
 "skills":["SQL","Python","Power BI","Statistics"],
 "languages":[{"name":"Arabic","level":"Native"},{"name":"English","level":"Fluent"}]}}'

render deck-arabic '{"language":"ar","theme":"sand","outline":{"title":"الطاقة الشمسية في الأردن","subtitle":"لطلاب الجامعة",
 "slides":[{"title":"لماذا الطاقة الشمسية؟","bullets":["أكثر من 300 يوم مشمس في السنة","تخفيض فاتورة الكهرباء","طاقة نظيفة ومتجددة"],"notes":"ابدأ بسؤال الجمهور عن فاتورة الكهرباء."},
  {"title":"الكلفة والعائد","bullets":["نظام منزلي 5 كيلوواط بنحو 3,000 دينار","استرداد الكلفة خلال 4 إلى 6 سنوات"],"notes":"اذكر أمثلة من عمّان وإربد."},
  {"title":"الخطوة التالية","bullets":["احسب استهلاكك الشهري","اطلب عرض سعر من شركتين"]}]}}' /v1/slides/generate 2

render deck-english '{"language":"en","theme":"midnight","outline":{"title":"Solar Power in Jordan","subtitle":"For university students",
 "slides":[{"title":"Why solar?","bullets":["Over 300 sunny days a year","Lower electricity bills","Clean, renewable energy"]},
  {"title":"Cost and payback","bullets":["A 5 kW home system costs about 3,000 JOD","Pays for itself in 4 to 6 years"],"notes":"Use examples from Amman and Irbid."},
  {"title":"Next steps","bullets":["Work out your monthly use","Ask two installers for a quote"]}]}}' /v1/slides/generate 2

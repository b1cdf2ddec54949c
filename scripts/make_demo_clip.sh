#!/usr/bin/env bash
# Makes the landing page's demo clip from the product's own screens: the Arabic desktop screenshots
# under docs/screenshots (written by SCREENSHOTS=docs/screenshots scripts/browser_check.py), each
# shown for 2.5 s with a cross-fade, as a silent looping H.264 MP4 plus a poster frame.
# Usage: scripts/make_demo_clip.sh [SCREENSHOT_DIR]   Writes Sources/WebService/Public/media/demo.{mp4,jpg}.
set -euo pipefail
cd "$(dirname "$0")/.."
shots=${1:-docs/screenshots}
out=Sources/WebService/Public/media
mkdir -p "$out"
screens=(app-chat app-cv app-slides app-image app-video app-account)
inputs=()
for screen in "${screens[@]}"; do
  file="$shots/$screen-ar-desktop.png"
  [ -f "$file" ] || { echo "missing $file: take the screenshots first" >&2; exit 1; }
  inputs+=(-loop 1 -t 3 -i "$file")
done
# Each screen: the top 1280x800 of the page, scaled to 960x600; then cross-fades of 0.5 s.
filter=""
for i in "${!screens[@]}"; do
  filter+="[${i}:v]crop=1280:800:0:0,scale=960:600,setsar=1,fps=25,format=yuv420p[s${i}];"
done
last="s0"
offset=2.5
for ((i = 1; i < ${#screens[@]}; i++)); do
  filter+="[${last}][s${i}]xfade=transition=fade:duration=0.5:offset=${offset}[x${i}];"
  last="x$i"
  offset=$(python3 -c "print($offset + 2.5)")
done
ffmpeg -v error -y "${inputs[@]}" -filter_complex "${filter%;}" -map "[$last]" -an \
  -c:v libx264 -preset slow -crf 30 -pix_fmt yuv420p -movflags +faststart "$out/demo.mp4"
ffmpeg -v error -y -i "$shots/app-chat-ar-desktop.png" -vf "crop=1280:800:0:0,scale=960:600" -q:v 5 "$out/demo.jpg"
ls -l "$out/demo.mp4" "$out/demo.jpg"

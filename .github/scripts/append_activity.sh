#!/usr/bin/env bash
# Appends one line to docs/ACTIVITY.md under today's date (UTC) and pushes it as the workflow bot,
# rebasing onto whatever landed meanwhile (the infra and app workflows may both append).
# Usage: .github/scripts/append_activity.sh "Infra: terraform apply succeeded …"
set -euo pipefail

text="${1:?usage: append_activity.sh TEXT}"
file="docs/ACTIVITY.md"
today="$(date -u +%F)"

git config user.name "github-actions[bot]"
git config user.email "41898282+github-actions[bot]@users.noreply.github.com"

append() {
    if [[ "$(grep -E '^## ' "$file" | tail -n 1)" != "## $today" ]]; then
        printf '\n## %s\n\n' "$today" >>"$file"
    fi
    printf -- '- %s — %s\n' "$today" "$text" >>"$file"
}

for attempt in 1 2 3 4 5; do
    git fetch --quiet origin "$GITHUB_REF_NAME"
    git reset --quiet --hard "origin/$GITHUB_REF_NAME"
    append
    git add "$file"
    git commit --quiet -m "Activity: ${text:0:60}"
    if git push --quiet origin "HEAD:$GITHUB_REF_NAME"; then
        echo "appended to $file (attempt $attempt)"
        exit 0
    fi
    sleep $((attempt * 3))
done
echo "could not push $file after 5 attempts" >&2
exit 1

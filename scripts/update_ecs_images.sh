#!/usr/bin/env bash
# Rolls the studio's ECS services to the images tagged TAG (a commit SHA) that the app workflow has
# pushed: for each service, registers a new revision of its task definition (the newest revision,
# which carries Terraform's latest settings, with only the image changed), points the service at it
# (a rolling deployment: new tasks pass their health checks before old ones stop; the circuit
# breaker rolls back a deployment that never gets healthy), records TAG in the image-tag parameter
# so Terraform keeps it, then waits until every service is stable on the new revision.
#
# Cluster, service names, task families and repositories come from the stack's Terraform outputs:
#   TF_OUTPUTS_FILE=<file from `terraform output -json`>, or else the SSM parameter
#   /<PROJECT_NAME>/terraform-outputs the stack writes (PROJECT_NAME defaults to ai-studio).
#
# Usage: scripts/update_ecs_images.sh TAG [--no-wait]
# Needs: aws (CLI v1 or v2) and jq; AWS credentials and AWS_REGION in the environment.
set -euo pipefail

usage() {
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

tag="${1:-}"
[[ -n "$tag" && "$tag" != -* ]] || usage
wait_for_stable=true
[[ "${2:-}" == "--no-wait" ]] && wait_for_stable=false
[[ "$tag" =~ ^[A-Za-z0-9._-]{1,128}$ ]] || {
    echo "update_ecs_images: '$tag' is not a valid image tag" >&2
    exit 2
}
for tool in aws jq; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "update_ecs_images: $tool is required" >&2
        exit 2
    }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- the stack's outputs ----------------------------------------------------------------------
if [[ -n "${TF_OUTPUTS_FILE:-}" ]]; then
    # `terraform output -json` wraps each value as {"value": ..., "type": ..., "sensitive": ...}.
    jq 'map_values(if type == "object" and has("value") then .value else . end)' "$TF_OUTPUTS_FILE" >"$work/outputs.json"
else
    aws ssm get-parameter --name "/${PROJECT_NAME:-ai-studio}/terraform-outputs" \
        --query Parameter.Value --output text >"$work/outputs.json"
fi
outputs="$work/outputs.json"
cluster="$(jq -er '.cluster_name' "$outputs")"
tag_parameter="$(jq -er '.image_tag_parameter' "$outputs")"
mapfile -t services < <(jq -er '.service_names | keys[]' "$outputs")
((${#services[@]} > 0)) || {
    echo "update_ecs_images: the outputs name no services" >&2
    exit 1
}
echo "cluster $cluster: rolling ${services[*]} to $tag"

# --- register and roll ------------------------------------------------------------------------
declare -A new_revision
for service in "${services[@]}"; do
    service_name="$(jq -er --arg s "$service" '.service_names[$s]' "$outputs")"
    family="$(jq -er --arg s "$service" '.task_families[$s]' "$outputs")"
    repository="$(jq -er --arg s "$service" '.ecr_repository_urls[$s]' "$outputs")"

    aws ecs describe-task-definition --task-definition "$family" --include TAGS --output json >"$work/$service.current.json"
    # Keep everything register-task-definition accepts; change only this service's container image.
    jq --arg name "$service" --arg image "$repository:$tag" '
        .tags as $tags
        | .taskDefinition
        | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities,
              .registeredAt, .registeredBy, .deregisteredAt)
        | .containerDefinitions |= map(if .name == $name then .image = $image else . end)
        | if ($tags | length) > 0 then .tags = $tags else . end
    ' "$work/$service.current.json" >"$work/$service.next.json"

    arn="$(aws ecs register-task-definition --cli-input-json "file://$work/$service.next.json" \
        --query taskDefinition.taskDefinitionArn --output text)"
    new_revision[$service]="$arn"
    aws ecs update-service --cluster "$cluster" --service "$service_name" --task-definition "$arn" \
        --query 'service.deployments[0].id' --output text >/dev/null
    echo "  $service_name → ${arn##*/}"
done

# Terraform reads the deployed tag back from here, so an infra apply keeps these images.
aws ssm put-parameter --name "$tag_parameter" --type String --value "$tag" --overwrite >/dev/null
echo "recorded $tag in $tag_parameter"

# --- wait -------------------------------------------------------------------------------------
if ! $wait_for_stable; then
    exit 0
fi
service_names=()
for service in "${services[@]}"; do
    service_names+=("$(jq -er --arg s "$service" '.service_names[$s]' "$outputs")")
done
echo "waiting for ${service_names[*]} to be stable"
# The waiter gives up after 10 minutes; a worker draining a long job can take longer, so try twice.
aws ecs wait services-stable --cluster "$cluster" --services "${service_names[@]}" ||
    aws ecs wait services-stable --cluster "$cluster" --services "${service_names[@]}"

# Stable can also mean "rolled back by the circuit breaker": check what each service runs now.
failed=0
for service in "${services[@]}"; do
    service_name="$(jq -er --arg s "$service" '.service_names[$s]' "$outputs")"
    running="$(aws ecs describe-services --cluster "$cluster" --services "$service_name" \
        --query 'services[0].deployments[?status==`PRIMARY`].taskDefinition | [0]' --output text)"
    if [[ "$running" == "${new_revision[$service]}" ]]; then
        echo "  $service_name runs ${running##*/}"
    else
        echo "  $service_name runs ${running##*/}, not ${new_revision[$service]##*/} (rolled back?)" >&2
        failed=1
    fi
done
exit "$failed"

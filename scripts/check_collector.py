#!/usr/bin/env python3
"""Checks the OpenTelemetry collector sidecar of every ECS task definition, as applied (to AWS or its
emulator): the collector's configuration parses and its pipelines name only receivers, processors and
exporters it defines; the service runs one event loop per whole vCPU of its task; traces go OTLP -> X-Ray and metrics Prometheus -> CloudWatch EMF; the service is
told the collector's OTLP address and the collector scrapes the service's own port; the EMF log group
exists and the task role may write to it and to X-Ray. Prints one line per check; exits 1 on any failure.

Usage (AWS_* variables point at the account or the emulator): check_collector.py CLUSTER
"""
import json
import sys
from urllib.parse import unquote

import boto3
import yaml

failures = 0


def check(name: str, ok: bool, detail: str = "") -> None:
    global failures
    print(f"{'ok  ' if ok else 'FAIL'}  {name}{'' if ok else ' — ' + detail}")
    if not ok:
        failures += 1


def env(container: dict) -> dict:
    return {e["name"]: e["value"] for e in container.get("environment", [])}


def pipelines_are_closed(config: dict) -> list[str]:
    """Names a pipeline uses that the configuration does not define."""
    missing = []
    for pipeline, parts in config.get("service", {}).get("pipelines", {}).items():
        for section in ("receivers", "processors", "exporters"):
            for name in parts.get(section, []):
                if name not in (config.get(section) or {}):
                    missing.append(f"{pipeline}.{section}.{name}")
    for name in config.get("service", {}).get("extensions", []):
        if name not in (config.get("extensions") or {}):
            missing.append(f"extensions.{name}")
    return missing


def allowed(policies: list[dict], action: str, resource: str) -> bool:
    for policy in policies:
        statements = policy.get("Statement", [])
        for statement in statements if isinstance(statements, list) else [statements]:
            actions = statement.get("Action", [])
            resources = statement.get("Resource", [])
            actions = [actions] if isinstance(actions, str) else actions
            resources = [resources] if isinstance(resources, str) else resources
            if statement.get("Effect") == "Allow" and action in actions and (
                "*" in resources or resource in resources or resource + ":*" in resources
            ):
                return True
    return False


def main() -> int:
    cluster = sys.argv[1]
    ecs, iam, logs = boto3.client("ecs"), boto3.client("iam"), boto3.client("logs")
    services = ecs.list_services(cluster=cluster)["serviceArns"]
    check("the cluster runs the four services", len(services) == 4, str(services))
    described = ecs.describe_services(cluster=cluster, services=services)["services"]
    for service in described:
        name = service["serviceName"]
        task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        containers = {c["name"]: c for c in task["containerDefinitions"]}
        app, collector = containers.get(name), containers.get("otel-collector")
        check(f"{name}: the task runs the service and an otel-collector sidecar", app is not None and collector is not None,
              str(list(containers)))
        if app is None or collector is None:
            continue
        image = collector["image"]
        check(f"{name}: the collector image is ADOT, pinned to a version",
              "aws-otel-collector:" in image and not image.endswith(":latest"), image)
        check(f"{name}: the collector is not essential (the service outlives it)", collector.get("essential") is False)
        check(f"{name}: the service starts after its collector",
              {"containerName": "otel-collector", "condition": "START"} in app.get("dependsOn", []))
        text = env(collector).get("AOT_CONFIG_CONTENT", "")
        try:
            config = yaml.safe_load(text) or {}
        except yaml.YAMLError as error:
            check(f"{name}: the collector configuration is YAML", False, str(error))
            continue
        check(f"{name}: every pipeline part is defined", not pipelines_are_closed(config),
              ", ".join(pipelines_are_closed(config)))
        pipelines = config.get("service", {}).get("pipelines", {})
        check(f"{name}: traces go from OTLP to X-Ray",
              pipelines.get("traces", {}).get("receivers") == ["otlp"]
              and pipelines.get("traces", {}).get("exporters") == ["awsxray"])
        check(f"{name}: metrics go from the Prometheus scrape to CloudWatch EMF",
              pipelines.get("metrics", {}).get("receivers") == ["prometheus"]
              and pipelines.get("metrics", {}).get("exporters") == ["awsemf"])
        otlp = config["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
        app_env = env(app)
        check(f"{name}: the service sends its spans to the collector's OTLP/HTTP address",
              app_env.get("OTEL_EXPORTER_OTLP_ENDPOINT") == f"http://{otlp}", f"{app_env.get('OTEL_EXPORTER_OTLP_ENDPOINT')} vs {otlp}")
        check(f"{name}: the service names itself in its spans", app_env.get("OTEL_SERVICE_NAME", "").endswith(name))
        loops, vcpus = app_env.get("NIO_SINGLETON_GROUP_LOOP_COUNT", ""), int(task["cpu"]) // 1024
        check(f"{name}: one event loop per whole vCPU of the task ({task['cpu']} units)",
              loops == str(max(1, vcpus)), loops)
        ratio = app_env.get("OTEL_TRACES_SAMPLER_ARG", "")
        check(f"{name}: a sampling ratio between 0 and 1", ratio.replace(".", "", 1).isdigit() and 0 <= float(ratio) <= 1, ratio)
        port = app["portMappings"][0]["containerPort"]
        scrape = config["receivers"]["prometheus"]["config"]["scrape_configs"][0]
        check(f"{name}: the collector scrapes the service's own /metrics",
              scrape.get("metrics_path") == "/metrics" and scrape["static_configs"][0]["targets"] == [f"127.0.0.1:{port}"],
              json.dumps(scrape))
        emf = config["exporters"]["awsemf"]
        group = emf.get("log_group_name", "")
        groups = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        check(f"{name}: the EMF log group {group} exists", any(g["logGroupName"] == group for g in groups))
        declared = [s for d in emf.get("metric_declarations", []) for s in d.get("metric_name_selectors", [])]
        check(f"{name}: the request and dropped-span metrics are declared for CloudWatch",
              any("http_requests_total" in s for s in declared) and any("otel_spans_dropped_total" in s for s in declared))
        role = task["taskRoleArn"].split("/")[-1]
        policies = [iam.get_role_policy(RoleName=role, PolicyName=p)["PolicyDocument"]
                    for p in iam.list_role_policies(RoleName=role)["PolicyNames"]]
        policies = [json.loads(unquote(p)) if isinstance(p, str) else p for p in policies]
        group_arn = next((g["arn"].removesuffix(":*") for g in groups if g["logGroupName"] == group), "")
        check(f"{name}: the task role may send traces to X-Ray", allowed(policies, "xray:PutTraceSegments", "*"))
        check(f"{name}: the task role may write its metrics log group",
              allowed(policies, "logs:PutLogEvents", group_arn), group_arn)
    print(f"collector: {'all checks passed' if failures == 0 else f'{failures} failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

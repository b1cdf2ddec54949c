resource "aws_cloudwatch_log_group" "service" {
  for_each          = var.services
  name              = "/ecs/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn
}

resource "aws_sns_topic_subscription" "email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

# Traces: requests carry W3C trace ids in every log line; X-Ray groups what the services send.
resource "aws_xray_group" "this" {
  count             = var.xray_enabled ? 1 : 0
  group_name        = var.name
  filter_expression = "annotation.project = \"${var.name}\""
}

resource "aws_xray_sampling_rule" "this" {
  count          = var.xray_enabled ? 1 : 0
  rule_name      = substr("${var.name}-default", 0, 32)
  priority       = 1000
  reservoir_size = 1
  fixed_rate     = 0.05
  host           = "*"
  http_method    = "*"
  url_path       = "*"
  service_name   = "*"
  service_type   = "*"
  resource_arn   = "*"
  version        = 1
}

locals {
  alarm_actions = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "alb_5xx" {
  alarm_name          = "${var.name}-alb-5xx"
  alarm_description   = "The load balancer answered 5xx (no healthy target, or a target failed) more than 10 times a minute"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_ELB_5XX_Count"
  dimensions          = { LoadBalancer = var.alb_arn_suffix }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 10
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "target_5xx" {
  alarm_name          = "${var.name}-targets-5xx"
  alarm_description   = "The services answered 5xx more than 20 times a minute"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_Target_5XX_Count"
  dimensions          = { LoadBalancer = var.alb_arn_suffix }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 20
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_targets" {
  for_each            = var.target_group_arn_suffixes
  alarm_name          = "${var.name}-${each.key}-unhealthy"
  alarm_description   = "A ${each.key} task fails its health check"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = var.alb_arn_suffix, TargetGroup = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# The worker has no load balancer: alarm when fewer tasks run than it should (Container Insights).
resource "aws_cloudwatch_metric_alarm" "running_tasks" {
  for_each            = { for k, v in var.service_names : k => v if !contains(keys(var.target_group_arn_suffixes), k) }
  alarm_name          = "${var.name}-${each.key}-no-running-task"
  alarm_description   = "The ${each.key} service has no running task"
  namespace           = "ECS/ContainerInsights"
  metric_name         = "RunningTaskCount"
  dimensions          = { ClusterName = var.cluster_name, ServiceName = each.value }
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "rds_cpu" {
  alarm_name          = "${var.name}-rds-cpu"
  alarm_description   = "Aurora CPU above 80% for 10 minutes (raise max ACU or find the query)"
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBClusterIdentifier = var.rds_cluster_identifier }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "redis_cpu" {
  count               = var.redis_enabled ? 1 : 0
  alarm_name          = "${var.name}-redis-cpu"
  alarm_description   = "Redis engine CPU on the primary above 75% for 10 minutes"
  namespace           = "AWS/ElastiCache"
  metric_name         = "EngineCPUUtilization"
  dimensions          = { CacheClusterId = "${var.redis_replication_group_id}-001" }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = 75
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# Metrics: each task's collector scrapes the service's Prometheus /metrics and writes them here as
# CloudWatch embedded metric format (namespace var.metrics_namespace); nothing in the code talks to
# CloudWatch.
resource "aws_cloudwatch_log_group" "metrics" {
  #checkov:skip=CKV_AWS_338:Raw embedded-metric records; CloudWatch keeps the metrics made from them for 15 months
  for_each          = var.services
  name              = "/ecs/${var.name}/${each.key}/metrics"
  retention_in_days = 30
  kms_key_id        = var.kms_key_arn
}

locals {
  # One SEARCH per line: every series of the metric for the service, whatever its other dimensions.
  dashboard_metric = {
    requests = { metric = "http_requests_total", stat = "Sum", title = "Requests a minute" }
    errors   = { metric = "http_requests_total", stat = "Sum", title = "5xx answers a minute", filter = " status=5*" }
    latency  = { metric = "http_request_duration_seconds", stat = "Average", title = "Request time, average (s)" }
    refusals = { metric = "quota_refusals_total", stat = "Sum", title = "Quota refusals (402) a minute" }
    provider = { metric = "provider_errors_total", stat = "Sum", title = "Provider errors by model" }
    jobs     = { metric = "job_duration_seconds", stat = "Average", title = "Job time by kind (s)" }
    queue    = { metric = "job_queue_depth", stat = "Maximum", title = "Jobs waiting by queue" }
    dropped  = { metric = "otel_spans_dropped_total", stat = "Sum", title = "Trace spans dropped" }
  }
  dashboard_panels = {
    web     = ["requests", "errors", "latency", "dropped"]
    backend = ["requests", "errors", "latency", "dropped"]
    gateway = ["requests", "errors", "latency", "refusals", "provider", "dropped"]
    worker  = ["jobs", "queue", "latency", "dropped"]
  }
}

resource "aws_cloudwatch_dashboard" "service" {
  for_each       = { for k in var.services : k => local.dashboard_panels[k] }
  dashboard_name = "${var.name}-${each.key}"
  dashboard_body = jsonencode({
    widgets = [for i, panel in each.value : {
      type   = "metric"
      x      = (i % 2) * 12
      y      = floor(i / 2) * 6
      width  = 12
      height = 6
      properties = {
        title  = local.dashboard_metric[panel].title
        region = var.region
        view   = "timeSeries"
        period = 60
        metrics = [[{
          expression = "SEARCH('{${var.metrics_namespace},service.name} MetricName=\"${local.dashboard_metric[panel].metric}\" service.name=\"${each.key}\"${lookup(local.dashboard_metric[panel], "filter", "")}', '${local.dashboard_metric[panel].stat}', 60)"
          id         = "m${i}"
          label      = local.dashboard_metric[panel].title
        }]]
      }
    }]
  })
}

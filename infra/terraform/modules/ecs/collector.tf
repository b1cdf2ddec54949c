# The AWS Distro for OpenTelemetry collector beside each service, in the same task (same loopback):
# - traces: the service sends OTLP/HTTP to 127.0.0.1:4318 (OTEL_EXPORTER_OTLP_ENDPOINT); the
#   collector batches them and exports to X-Ray (awsxray converts the W3C trace ids).
# - metrics: it scrapes the service's Prometheus /metrics every minute and writes them to CloudWatch
#   as embedded metric format (awsemf), so no code talks to CloudWatch.
# The service never waits on it: spans queue in the process and are dropped (and counted in
# otel_spans_dropped_total) when the collector is away.
locals {
  otlp_http_endpoint = "127.0.0.1:4318"
  collector_health   = "127.0.0.1:13133"

  # Labels kept as CloudWatch dimensions, per metric (the others are rolled up).
  metric_declarations = [
    { dimensions = [["service.name"], ["service.name", "endpoint"], ["service.name", "status"]], metric_name_selectors = ["^http_requests_total$", "^http_request_duration_seconds"] },
    { dimensions = [["service.name", "kind"], ["service.name", "kind", "outcome"]], metric_name_selectors = ["^jobs_processed_total$", "^job_duration_seconds", "^job_queue_wait_seconds", "^quota_refusals_total$"] },
    { dimensions = [["service.name", "queue"]], metric_name_selectors = ["^job_queue_depth$"] },
    { dimensions = [["service.name", "provider", "model"]], metric_name_selectors = ["^provider_errors_total$"] },
    { dimensions = [["service.name"]], metric_name_selectors = ["^otel_spans_dropped_total$"] },
  ]

  collector_config = {
    for name, service in var.services : name => {
      extensions = { health_check = { endpoint = local.collector_health } }
      receivers = {
        otlp = { protocols = { http = { endpoint = local.otlp_http_endpoint } } }
        prometheus = {
          config = {
            scrape_configs = [{
              job_name        = name
              scrape_interval = "60s"
              metrics_path    = "/metrics"
              static_configs  = [{ targets = ["127.0.0.1:${service.port}"] }]
            }]
          }
        }
      }
      processors = {
        memory_limiter    = { check_interval = "1s", limit_percentage = 80, spike_limit_percentage = 20 }
        resourcedetection = { detectors = ["env", "ecs"], timeout = "2s", override = false }
        batch             = { timeout = "5s" }
      }
      exporters = {
        awsxray = {
          region             = var.region
          indexed_attributes = ["http.route", "studio.model", "job.kind"]
        }
        awsemf = {
          region                               = var.region
          namespace                            = var.metrics_namespace
          log_group_name                       = var.metrics_log_group_names[name]
          log_stream_name                      = "{TaskId}"
          dimension_rollup_option              = "NoDimensionRollup"
          resource_to_telemetry_conversion     = { enabled = true }
          metric_declarations                  = local.metric_declarations
          detailed_metrics                     = false
          retain_initial_value_of_delta_metric = false
        }
      }
      service = {
        extensions = ["health_check"]
        pipelines = {
          traces  = { receivers = ["otlp"], processors = ["memory_limiter", "resourcedetection", "batch"], exporters = ["awsxray"] }
          metrics = { receivers = ["prometheus"], processors = ["memory_limiter", "resourcedetection", "batch"], exporters = ["awsemf"] }
        }
      }
    }
  }

  # What each service's container is told about its collector.
  telemetry_environment = {
    for name, service in var.services : name => {
      OTEL_EXPORTER_OTLP_ENDPOINT = "http://${local.otlp_http_endpoint}"
      OTEL_EXPORTER_OTLP_PROTOCOL = "http/protobuf"
      OTEL_SERVICE_NAME           = "${var.name}-${name}"
      OTEL_TRACES_SAMPLER_ARG     = tostring(var.trace_sample_ratio)
    }
  }

  collector_container = {
    for name, service in var.services : name => {
      name      = "otel-collector"
      image     = var.collector_image
      essential = false
      # ADOT reads its whole configuration from this variable.
      environment = [
        { name = "AOT_CONFIG_CONTENT", value = yamlencode(local.collector_config[name]) },
      ]
      cpu               = 64
      memoryReservation = 64
      healthCheck = {
        command     = ["/healthcheck"]
        interval    = 15
        timeout     = 5
        retries     = 3
        startPeriod = 10
      }
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = var.log_group_names[name]
          awslogs-region        = var.region
          awslogs-stream-prefix = "otel-collector"
        }
      }
    }
  }
}

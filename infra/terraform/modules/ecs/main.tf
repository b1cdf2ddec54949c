resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

# The image every task runs. The app workflow (scripts/update_ecs_images.sh) writes the commit SHA
# here when it deploys; Terraform reads it back, so an infra apply keeps the deployed image.
resource "aws_ssm_parameter" "image_tag" {
  #checkov:skip=CKV2_AWS_34:Not a secret: a git commit SHA
  name           = "/${var.name}/image-tag"
  description    = "Commit SHA of the images the services run"
  type           = "String"
  insecure_value = var.initial_image_tag

  lifecycle {
    ignore_changes = [insecure_value]
  }
}

# Service discovery: the backend calls the gateway directly (slide outlines) at gateway.<internal_domain>.
resource "aws_service_discovery_private_dns_namespace" "this" {
  name        = var.internal_domain
  description = "Service-to-service names"
  vpc         = var.vpc_id
}

resource "aws_service_discovery_service" "gateway" {
  name = "gateway"

  dns_config {
    namespace_id   = aws_service_discovery_private_dns_namespace.this.id
    routing_policy = "MULTIVALUE"
    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  health_check_custom_config {
    failure_threshold = 1
  }
}

locals {
  image_tag = aws_ssm_parameter.image_tag.insecure_value
}

locals {
  # One NIO event loop per whole vCPU the task is given (at least one). A Fargate container sees the
  # host's cores, not the task's share, so NIO would otherwise start two loops to share half a vCPU.
  thread_environment = {
    for name, service in var.services : name => {
      NIO_SINGLETON_GROUP_LOOP_COUNT = tostring(max(1, floor(service.cpu / 1024)))
    }
  }
}

resource "aws_ecs_task_definition" "this" {
  for_each                 = var.services
  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = aws_iam_role.execution[each.key].arn
  task_role_arn            = aws_iam_role.task[each.key].arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # The service first (the deploy script and the load balancer name it), then its collector.
  container_definitions = jsonencode([{
    name         = each.key
    image        = "${var.repository_urls[each.key]}:${local.image_tag}"
    essential    = true
    portMappings = [{ containerPort = each.value.port, protocol = "tcp" }]
    environment = [
      for k, v in merge(local.telemetry_environment[each.key], local.thread_environment[each.key], each.value.environment) :
      { name = k, value = v }
    ]
    dependsOn   = [{ containerName = "otel-collector", condition = "START" }]
    secrets     = [for k in sort(each.value.secrets) : { name = k, valueFrom = var.secret_value_from[k] }]
    stopTimeout = each.value.stop_timeout
    # The worker starts LibreOffice and ffmpeg: an init process reaps them.
    linuxParameters = { initProcessEnabled = true }
    healthCheck = {
      command     = ["CMD-SHELL", "curl -fsS http://127.0.0.1:${each.value.port}/healthz || exit 1"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.log_group_names[each.key]
        awslogs-region        = var.region
        awslogs-stream-prefix = each.key
      }
    }
  }, local.collector_container[each.key]])
}

resource "aws_ecs_service" "this" {
  for_each                          = var.services
  name                              = each.key
  cluster                           = aws_ecs_cluster.this.id
  task_definition                   = aws_ecs_task_definition.this[each.key].arn
  desired_count                     = each.value.desired_count
  launch_type                       = "FARGATE"
  platform_version                  = "LATEST"
  propagate_tags                    = "SERVICE"
  enable_ecs_managed_tags           = true
  health_check_grace_period_seconds = contains(keys(var.target_group_arns), each.key) ? 60 : null
  # Zero downtime: new tasks start and pass their checks before old ones stop.
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = var.security_group_ids[each.key]
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = contains(keys(var.target_group_arns), each.key) ? [var.target_group_arns[each.key]] : []
    content {
      target_group_arn = load_balancer.value
      container_name   = each.key
      container_port   = each.value.port
    }
  }

  dynamic "service_registries" {
    for_each = each.key == "gateway" ? [aws_service_discovery_service.gateway.arn] : []
    content {
      registry_arn = service_registries.value
    }
  }

  lifecycle {
    # Autoscaling owns the running count once the service exists.
    ignore_changes = [desired_count]
  }
}

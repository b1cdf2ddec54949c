# A one-off task for operators: psql (and redis-cli after `apk add redis`) inside the VPC with the
# services' DATABASE_URL and REDIS_URL, reached with ECS Exec. Started by hand (docs/RUNBOOK.md),
# never as a service.

resource "aws_iam_role" "ops_task" {
  name               = "${var.name}-ops-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

resource "aws_iam_role_policy" "ops_task" {
  name = "ecs-exec"
  role = aws_iam_role.ops_task.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = [
        "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
      ]
      Resource = "*"
    }]
  })
}

resource "aws_ecs_task_definition" "ops" {
  #checkov:skip=CKV_AWS_336:The operator installs redis-cli into this throwaway container (apk add), so its root file system is writable
  family                   = "${var.name}-ops"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  # The worker's execution role already reads DATABASE_URL and REDIS_URL and writes the worker's logs.
  execution_role_arn = aws_iam_role.execution["worker"].arn
  task_role_arn      = aws_iam_role.ops_task.arn

  container_definitions = jsonencode([{
    name            = "ops"
    image           = "public.ecr.aws/docker/library/postgres:16-alpine"
    essential       = true
    command         = ["sleep", "3600"]
    secrets         = [for k in ["DATABASE_URL", "REDIS_URL"] : { name = k, valueFrom = var.secret_value_from[k] }]
    linuxParameters = { initProcessEnabled = true }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.log_group_names["worker"]
        awslogs-region        = var.region
        awslogs-stream-prefix = "ops"
      }
    }
  }])
}

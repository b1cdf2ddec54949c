output "cluster_name" {
  value = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  value = aws_ecs_cluster.this.arn
}

output "service_names" {
  description = "ECS service name of each service."
  value       = { for k, s in aws_ecs_service.this : k => s.name }
}

output "task_families" {
  value = { for k, t in aws_ecs_task_definition.this : k => t.family }
}

output "task_role_arns" {
  value = { for k, r in aws_iam_role.task : k => r.arn }
}

output "execution_role_arns" {
  value = { for k, r in aws_iam_role.execution : k => r.arn }
}

output "ops_task_family" {
  value = aws_ecs_task_definition.ops.family
}

output "image_tag_parameter" {
  value = aws_ssm_parameter.image_tag.name
}

output "public_url" {
  description = "Where users open the studio: the domain, else CloudFront, else the load balancer."
  value       = local.public_url
}

output "alb_url" {
  value = module.alb.url
}

output "cloudfront_url" {
  description = "Empty when CloudFront is left out (emulator)."
  value       = module.cloudfront.url
}

output "cluster_name" {
  value = module.ecs.cluster_name
}

output "service_names" {
  value = module.ecs.service_names
}

output "task_families" {
  value = module.ecs.task_families
}

output "ecr_repository_urls" {
  value = module.ecr.repository_urls
}

output "image_tag_parameter" {
  description = "SSM parameter holding the deployed commit SHA."
  value       = module.ecs.image_tag_parameter
}

output "task_role_arns" {
  value = module.ecs.task_role_arns
}

output "execution_role_arns" {
  value = module.ecs.execution_role_arns
}

output "gha_infra_role_arn" {
  description = "Created by bootstrap/; the infra workflow assumes it."
  value       = "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:role/gha-infra-role"
}

output "gha_deploy_role_arn" {
  description = "Created by bootstrap/; the app workflow assumes it."
  value       = "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:role/gha-deploy-role"
}

output "database_endpoint" {
  value = module.rds.endpoint
}

output "secret_names" {
  description = "Secrets Manager name of every setting (values of placeholders are set as in the runbook)."
  value       = module.secrets.names
}

output "ops" {
  description = "What `aws ecs run-task` needs for the operator task (docs/RUNBOOK.md)."
  value = {
    task_family     = module.ecs.ops_task_family
    subnets         = module.vpc.private_subnet_ids
    security_groups = [module.vpc.service_security_group_ids["worker"], module.vpc.data_clients_security_group_id]
  }
}

output "alarm_topic_arn" {
  value = module.observability.alarm_topic_arn
}

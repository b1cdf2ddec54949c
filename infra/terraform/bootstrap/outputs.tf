output "state_bucket" {
  value = aws_s3_bucket.state.id
}

output "lock_table" {
  value = aws_dynamodb_table.lock.name
}

output "backend_config" {
  description = "Arguments for `terraform init` of the stack."
  value       = "-backend-config=bucket=${aws_s3_bucket.state.id} -backend-config=dynamodb_table=${aws_dynamodb_table.lock.name} -backend-config=region=${var.aws_region}"
}

output "gha_infra_role_arn" {
  value = module.iam.infra_role_arn
}

output "gha_deploy_role_arn" {
  value = module.iam.deploy_role_arn
}

output "oidc_provider_arn" {
  value = module.iam.oidc_provider_arn
}

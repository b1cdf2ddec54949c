output "value_from" {
  description = "What an ECS container definition's secrets[].valueFrom needs for each setting name."
  value = merge(
    { for k, s in aws_secretsmanager_secret.this : k => s.arn if !contains(keys(var.placeholders), k) },
    { for k in keys(var.placeholders) : k => "${aws_secretsmanager_secret.this[k].arn}:value::" },
  )
}

output "arns" {
  description = "ARN of every secret, by setting name."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.arn }
}

output "names" {
  description = "Secret name of every setting."
  value       = local.names
}

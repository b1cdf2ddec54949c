output "log_group_names" {
  description = "CloudWatch log group of each service."
  value       = { for k, g in aws_cloudwatch_log_group.service : k => g.name }
}

output "log_group_arns" {
  value = { for k, g in aws_cloudwatch_log_group.service : k => g.arn }
}

output "alarm_topic_arn" {
  value = aws_sns_topic.alarms.arn
}

output "metrics_log_group_names" {
  description = "Log group each service's collector writes its embedded-format metrics to."
  value       = { for k, g in aws_cloudwatch_log_group.metrics : k => g.name }
}

output "metrics_log_group_arns" {
  value = { for k, g in aws_cloudwatch_log_group.metrics : k => g.arn }
}

output "metrics_namespace" {
  value = var.metrics_namespace
}

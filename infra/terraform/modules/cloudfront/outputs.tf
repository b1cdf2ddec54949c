output "distribution_arn" {
  description = "Empty when the distribution is left out."
  value       = var.enabled ? aws_cloudfront_distribution.this[0].arn : ""
}

output "domain_name" {
  value = var.enabled ? aws_cloudfront_distribution.this[0].domain_name : ""
}

output "hosted_zone_id" {
  value = var.enabled ? aws_cloudfront_distribution.this[0].hosted_zone_id : ""
}

output "url" {
  value = var.enabled ? "https://${aws_cloudfront_distribution.this[0].domain_name}" : ""
}

output "origin_access_control_id" {
  value = aws_cloudfront_origin_access_control.assets.id
}

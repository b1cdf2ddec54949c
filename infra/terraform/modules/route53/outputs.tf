output "validation_record_fqdns" {
  value = [for r in aws_route53_record.validation : r.fqdn]
}

output "origin_fqdn" {
  description = "The name CloudFront uses to reach the load balancer."
  value       = aws_route53_record.origin.fqdn
}

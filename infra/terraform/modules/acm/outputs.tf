output "regional_certificate_arn" {
  description = "Validated certificate for the load balancer."
  value       = aws_acm_certificate_validation.regional.certificate_arn
}

output "cloudfront_certificate_arn" {
  description = "Validated certificate in us-east-1 for CloudFront."
  value       = aws_acm_certificate_validation.cloudfront.certificate_arn
}

output "validation_options" {
  description = "The DNS records that prove the domain (one per name; the wildcard shares its apex's)."
  value = [
    for o in aws_acm_certificate.regional.domain_validation_options : {
      domain_name = o.domain_name
      name        = o.resource_record_name
      type        = o.resource_record_type
      value       = o.resource_record_value
    } if !startswith(o.domain_name, "*.")
  ]
}

output "email_from" {
  description = "EMAIL_FROM for the backend (empty when SES has no identity)."
  value       = local.sender
}

output "region" {
  description = "SES_REGION for the backend."
  value       = data.aws_region.current.name
}

output "identity_arn" {
  description = "The identity the backend may send as (empty when none)."
  value       = local.identity_arn
}

output "verification_token" {
  value = var.domain_name == "" ? "" : aws_ses_domain_identity.this[0].verification_token
}

output "dkim_tokens" {
  value = var.domain_name == "" ? [] : aws_ses_domain_dkim.this[0].dkim_tokens
}

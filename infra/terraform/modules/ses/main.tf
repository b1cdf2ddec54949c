# SES v1 identities: the provider's SES v2 resources cannot be checked against the AWS emulator, and
# a v1 identity is the same identity for the services' SES v2 SendEmail calls.

resource "aws_ses_domain_identity" "this" {
  count  = var.domain_name == "" ? 0 : 1
  domain = var.domain_name
}

resource "aws_ses_domain_dkim" "this" {
  count  = var.domain_name == "" ? 0 : 1
  domain = aws_ses_domain_identity.this[0].domain
}

resource "aws_ses_email_identity" "this" {
  count = var.domain_name == "" && var.email_address != "" ? 1 : 0
  email = var.email_address
}

data "aws_region" "current" {}

locals {
  sender = var.domain_name != "" ? "${var.sender_local_part}@${var.domain_name}" : var.email_address
  identity_arn = (
    var.domain_name != "" ? aws_ses_domain_identity.this[0].arn :
    var.email_address != "" ? aws_ses_email_identity.this[0].arn : ""
  )
}

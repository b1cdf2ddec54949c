resource "aws_route53_record" "validation" {
  for_each        = { for o in var.validation_options : o.domain_name => o }
  zone_id         = var.zone_id
  name            = each.value.name
  type            = each.value.type
  records         = [each.value.value]
  ttl             = 300
  allow_overwrite = true
}

locals {
  public_target = var.cloudfront_enabled ? var.cloudfront : { domain_name = var.alb.dns_name, zone_id = var.alb.zone_id }
}

resource "aws_route53_record" "public" {
  for_each = toset(["A", "AAAA"])
  zone_id  = var.zone_id
  name     = var.domain_name
  type     = each.key

  alias {
    name                   = local.public_target.domain_name
    zone_id                = local.public_target.zone_id
    evaluate_target_health = false
  }
}

# CloudFront reaches the load balancer over HTTPS by a name its certificate covers.
resource "aws_route53_record" "origin" {
  zone_id = var.zone_id
  name    = "origin.${var.domain_name}"
  type    = "A"

  alias {
    name                   = var.alb.dns_name
    zone_id                = var.alb.zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_record" "ses_verification" {
  count   = var.ses_enabled ? 1 : 0
  zone_id = var.zone_id
  name    = "_amazonses.${var.domain_name}"
  type    = "TXT"
  ttl     = 600
  records = [var.ses_verification_token]
}

resource "aws_route53_record" "ses_dkim" {
  count   = var.ses_enabled ? 3 : 0
  zone_id = var.zone_id
  name    = "${var.ses_dkim_tokens[count.index]}._domainkey.${var.domain_name}"
  type    = "CNAME"
  ttl     = 600
  records = ["${var.ses_dkim_tokens[count.index]}.dkim.amazonses.com"]
}

variable "zone_id" {
  type = string
}

variable "domain_name" {
  type = string
}

variable "validation_options" {
  description = "ACM validation records (from the acm module)."
  type = list(object({
    domain_name = string
    name        = string
    type        = string
    value       = string
  }))
}

variable "alb" {
  description = "The load balancer's DNS name and zone: origin.<domain> points at it."
  type = object({
    dns_name = string
    zone_id  = string
  })
}

variable "cloudfront_enabled" {
  description = "True: the domain points at CloudFront; false: straight at the load balancer."
  type        = bool
}

variable "cloudfront" {
  type = object({
    domain_name = string
    zone_id     = string
  })
  default = { domain_name = "", zone_id = "" }
}

variable "ses_enabled" {
  description = "True when SES verifies the domain: write its TXT and three DKIM records."
  type        = bool
  default     = false
}

variable "ses_verification_token" {
  type    = string
  default = ""
}

variable "ses_dkim_tokens" {
  type    = list(string)
  default = []
}

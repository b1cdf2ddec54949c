variable "name" {
  type = string
}

variable "enabled" {
  description = "False leaves the distribution out (the AWS emulator cannot round-trip it); the origin access control stays."
  type        = bool
  default     = true
}

variable "alb_origin_domain" {
  description = "Name CloudFront uses for the load balancer: origin.<domain> with HTTPS, else the load balancer's own name."
  type        = string
}

variable "alb_origin_https" {
  description = "True when the load balancer has a certificate for alb_origin_domain."
  type        = bool
}

variable "assets_bucket_regional_domain_name" {
  type = string
}

variable "cdn_path" {
  description = "Path served from the assets bucket (its cdn/ prefix); everything else goes to the load balancer."
  type        = string
  default     = "/cdn/*"
}

variable "aliases" {
  description = "The studio's own names (needs certificate_arn)."
  type        = list(string)
  default     = []
}

variable "certificate_arn" {
  description = "Validated us-east-1 certificate for the aliases; empty to use *.cloudfront.net."
  type        = string
  default     = ""
}

variable "price_class" {
  description = "PriceClass_100 serves from North America and Europe (Jordan is served from Europe)."
  type        = string
  default     = "PriceClass_100"
}

variable "rate_limit_per_5min" {
  description = "Requests one IP may make in five minutes before the firewall blocks it."
  type        = number
  default     = 2000
}

variable "blocked_ips" {
  description = "IP ranges (CIDR) the firewall refuses outright: the lever to stop an abuser."
  type        = list(string)
  default     = []
}

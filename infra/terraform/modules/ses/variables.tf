variable "domain_name" {
  description = "Verify this domain (with DKIM); empty to verify a single address instead."
  type        = string
  default     = ""
}

variable "email_address" {
  description = "Verify this address when no domain is given (SES sends it a link to click)."
  type        = string
  default     = ""
}

variable "sender_local_part" {
  type    = string
  default = "no-reply"
}

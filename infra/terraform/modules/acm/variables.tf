variable "domain_name" {
  description = "The studio's public name, e.g. studio.example.jo."
  type        = string
}

variable "validation_record_fqdns" {
  description = "DNS validation records written by the route53 module."
  type        = list(string)
}

variable "name" {
  description = "Prefix of the repository names (<name>/<service>)."
  type        = string
}

variable "services" {
  description = "One repository per service."
  type        = set(string)
}

variable "keep_images" {
  description = "Tagged images kept per repository; older ones expire."
  type        = number
  default     = 30
}

variable "force_delete" {
  description = "Let terraform destroy delete repositories that still hold images (not in prod)."
  type        = bool
  default     = false
}

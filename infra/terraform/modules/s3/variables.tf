variable "name" {
  description = "Bucket name prefix; the account id is appended because bucket names are global."
  type        = string
}

variable "account_id" {
  type = string
}

variable "quarantine_expiry_days" {
  description = "Uploads not promoted or rejected by the scan are deleted after this many days."
  type        = number
  default     = 2
}

variable "force_destroy" {
  description = "Let terraform destroy empty the buckets (not in prod)."
  type        = bool
  default     = false
}

variable "cdn_distribution_arn" {
  description = "CloudFront distribution that may read the assets bucket's cdn/ prefix; empty for none."
  type        = string
  default     = ""
}

variable "cdn_prefix" {
  description = "The only key prefix CloudFront serves; users' files stay private behind presigned links."
  type        = string
  default     = "cdn/"
}

variable "prefix" {
  description = "Secret name prefix, e.g. AI_STUDIO (names become AI_STUDIO_DATABASE_URL, ...)."
  type        = string
}

variable "kms_key_arn" {
  description = "Key that encrypts every secret."
  type        = string
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can be restored (0 deletes at once, for throwaway stacks)."
  type        = number
  default     = 7
}

variable "plain_values" {
  description = "Secrets whose values Terraform knows and owns (bucket names, Redis URL, SES region, sender)."
  type        = map(string)
}

variable "placeholders" {
  description = "Secrets whose values are set outside Terraform, with the value they start with (often empty)."
  type        = map(string)
}

variable "database" {
  description = "Where the services reach PostgreSQL; the password comes from database_password."
  type = object({
    host     = string
    port     = number
    username = string
    name     = string
  })
}

variable "database_password" {
  description = "The Aurora master password of this run; written only when database_password_version changes."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "database_password_version" {
  description = "Changes whenever the password above is (re)written: bump to rotate."
  type        = number
}

variable "jwt_secret_version" {
  description = "Bump to issue a new session signing key (signs everyone out)."
  type        = number
  default     = 1
}

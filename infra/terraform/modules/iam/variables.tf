variable "project_name" {
  description = "Names the resources the roles may manage: <project>-*, <project>/*."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the repository whose workflows may assume the roles."
  type        = string
}

variable "github_branch" {
  description = "Only workflows running on this branch may assume the roles."
  type        = string
  default     = "main"
}

variable "state_bucket_arn" {
  type = string
}

variable "lock_table_arn" {
  type = string
}

variable "secret_prefix" {
  description = "Secret name prefix the stack uses (e.g. AI_STUDIO)."
  type        = string
}

variable "create_oidc_provider" {
  description = "False when the account already has GitHub's OIDC provider (one per account)."
  type        = bool
  default     = true
}

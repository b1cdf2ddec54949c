variable "aws_account_id" {
  type = string
  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be 12 digits."
  }
}

variable "aws_region" {
  type    = string
  default = "eu-central-1"
}

variable "project_name" {
  type    = string
  default = "ai-studio"
}

variable "github_repository" {
  description = "owner/name of the repository (your fork) whose workflows may deploy."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must look like owner/name."
  }
}

variable "github_branch" {
  type    = string
  default = "main"
}

variable "create_oidc_provider" {
  description = "False when the account already has GitHub's OIDC provider."
  type        = bool
  default     = true
}

variable "force_destroy_state" {
  description = "Let terraform destroy delete a state bucket that still holds state (throwaway accounts only)."
  type        = bool
  default     = false
}

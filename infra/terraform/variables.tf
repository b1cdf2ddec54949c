# The five settings of the product spec (terraform.tfvars.example), then optional ones.

variable "aws_account_id" {
  description = "The AWS account the stack lives in; the provider refuses any other."
  type        = string
  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be 12 digits."
  }
}

variable "aws_region" {
  description = "Region of everything except CloudFront's certificate and firewall (us-east-1)."
  type        = string
  default     = "eu-central-1"
}

variable "project_name" {
  description = "Prefix of every resource name; lower case letters, digits and dashes."
  type        = string
  default     = "ai-studio"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project_name))
    error_message = "project_name: 2 to 21 lower case letters, digits or dashes, starting with a letter."
  }
}

variable "domain_name" {
  description = "Optional public name (e.g. studio.example.jo). With hosted_zone_id: certificates, DNS records, SES domain."
  type        = string
  default     = ""
}

variable "hosted_zone_id" {
  description = "Optional Route 53 zone that holds domain_name."
  type        = string
  default     = ""
}

# --- optional --------------------------------------------------------------------------------

variable "environment" {
  description = "prod turns on deletion protection (database, load balancer) and keeps images and files on destroy."
  type        = string
  default     = "prod"
}

variable "github_repository" {
  description = "owner/name of this repository (the workflows pass it); used only for tags and outputs here."
  type        = string
  default     = ""
}

variable "ses_sender_email" {
  description = "Without a domain: an address SES verifies (it mails a link) and the studio sends from."
  type        = string
  default     = ""
}

variable "alarm_email" {
  description = "Address that receives alarms (confirm the subscription mail)."
  type        = string
  default     = ""
}

variable "db_min_acu" {
  type    = number
  default = 0.5
}

variable "db_max_acu" {
  type    = number
  default = 4
}

variable "db_password_version" {
  description = "Bump to rotate the database password (the services pick it up on their next deployment)."
  type        = number
  default     = 1
}

variable "db_snapshot_identifier" {
  description = "Restore the database from this snapshot: replaces the cluster (docs/RUNBOOK.md)."
  type        = string
  default     = ""
}

variable "db_deletion_protection" {
  description = "Overrides the database's deletion protection (default: on in prod). Turned off for one apply before a restore."
  type        = bool
  default     = null
}

variable "gateway_rate_limit_per_minute" {
  description = "AI requests one user may make per 60 s (the gateway's RATE_LIMIT_PER_MINUTE)."
  type        = number
  default     = 60
}

variable "jwt_secret_version" {
  description = "Bump to issue a new session signing key (everyone signs in again)."
  type        = number
  default     = 1
}

variable "single_nat_gateway" {
  description = "One NAT gateway (cheaper) instead of one per zone."
  type        = bool
  default     = true
}

variable "blocked_ips" {
  description = "CIDR ranges CloudFront's firewall refuses (the lever against an abuser, see the runbook)."
  type        = list(string)
  default     = []
}

variable "rate_limit_per_5min" {
  description = "Requests one IP may send in five minutes before the firewall blocks it."
  type        = number
  default     = 2000
}

variable "emulator" {
  description = "True only for the AWS emulator check (scripts/infra_check.sh): leaves out what it cannot run."
  type        = bool
  default     = false
}

variable "trace_sample_ratio" {
  description = "Share of new traces the services keep and send to X-Ray (parent-based: a sampled caller stays sampled)."
  type        = number
  default     = 0.2

  validation {
    condition     = var.trace_sample_ratio >= 0 && var.trace_sample_ratio <= 1
    error_message = "trace_sample_ratio is between 0 and 1."
  }
}

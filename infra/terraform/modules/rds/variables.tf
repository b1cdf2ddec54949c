variable "name" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "security_group_id" {
  type = string
}

variable "kms_key_arn" {
  description = "Key that encrypts storage, snapshots and Performance Insights."
  type        = string
}

variable "engine_version" {
  type    = string
  default = "16.6"
}

variable "database_name" {
  type    = string
  default = "studio"
}

variable "master_username" {
  type    = string
  default = "studio"
}

variable "master_password" {
  description = "Write-only: sent on create and whenever master_password_version changes, never stored."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "master_password_version" {
  type = number
}

variable "min_acu" {
  description = "Serverless v2 floor in Aurora capacity units (0.5 = about 1 GiB)."
  type        = number
  default     = 0.5
}

variable "max_acu" {
  type    = number
  default = 4
}

variable "instance_count" {
  description = "Writer plus readers; two or more fail over within a minute."
  type        = number
  default     = 1
}

variable "backup_retention_days" {
  type    = number
  default = 7
}

variable "deletion_protection" {
  description = "On in prod: the cluster cannot be destroyed, a final snapshot is kept."
  type        = bool
}

variable "snapshot_identifier" {
  description = "Restore the cluster from this snapshot (replaces the cluster; see the runbook)."
  type        = string
  default     = ""
}

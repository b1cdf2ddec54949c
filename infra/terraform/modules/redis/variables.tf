variable "name" {
  type = string
}

variable "enabled" {
  description = "False leaves the replication group out (the AWS emulator cannot run it); the URL is then a placeholder."
  type        = bool
  default     = true
}

variable "subnet_ids" {
  type = list(string)
}

variable "security_group_id" {
  type = string
}

variable "kms_key_arn" {
  type = string
}

variable "node_type" {
  type    = string
  default = "cache.t4g.micro"
}

variable "engine_version" {
  type    = string
  default = "7.1"
}

variable "replicas" {
  description = "Replicas next to the primary, in other zones; the primary fails over to one."
  type        = number
  default     = 1
  validation {
    condition     = var.replicas >= 1
    error_message = "Automatic failover needs at least one replica."
  }
}

variable "name" {
  type = string
}

variable "services" {
  description = "One log group per service."
  type        = set(string)
}

variable "kms_key_arn" {
  description = "Key for log groups and the alarm topic."
  type        = string
}

variable "log_retention_days" {
  type    = number
  default = 365
}

variable "alarm_email" {
  description = "Address subscribed to the alarm topic (confirm the mail AWS sends); empty for none."
  type        = string
  default     = ""
}

variable "alb_arn_suffix" {
  type = string
}

variable "target_group_arn_suffixes" {
  description = "Target group ARN suffix of each service behind the load balancer."
  type        = map(string)
}

variable "cluster_name" {
  type = string
}

variable "service_names" {
  description = "ECS service name of each service."
  type        = map(string)
}

variable "rds_cluster_identifier" {
  type = string
}

variable "xray_enabled" {
  description = "False leaves the X-Ray group and sampling rule out (the AWS emulator has no X-Ray API for them)."
  type        = bool
  default     = true
}

variable "redis_enabled" {
  description = "False when Redis is left out (no Redis alarm then)."
  type        = bool
}

variable "redis_replication_group_id" {
  type = string
}

variable "region" {
  description = "Region the dashboards read."
  type        = string
}

variable "metrics_namespace" {
  description = "CloudWatch namespace the collectors write the services' metrics to."
  type        = string
  default     = "AIStudio"
}

variable "name" {
  type = string
}

variable "region" {
  type = string
}

variable "services" {
  description = "The four services: size, scale, port, health check, settings and the secrets each reads."
  type = map(object({
    port          = number
    cpu           = number
    memory        = number
    desired_count = number
    min_count     = number
    max_count     = number
    health_path   = string
    stop_timeout  = number
    environment   = map(string)
    secrets       = list(string)
  }))
}

variable "repository_urls" {
  description = "ECR repository of each service."
  type        = map(string)
}

variable "repository_arns" {
  type = map(string)
}

variable "private_subnet_ids" {
  type = list(string)
}

variable "vpc_id" {
  type = string
}

variable "security_group_ids" {
  description = "Security groups of each service's tasks."
  type        = map(list(string))
}

variable "target_group_arns" {
  description = "Target group of each service behind the load balancer (web, backend, gateway)."
  type        = map(string)
}

variable "alb_arn_suffix" {
  type = string
}

variable "target_group_arn_suffixes" {
  type = map(string)
}

variable "log_group_names" {
  type = map(string)
}

variable "log_group_arns" {
  type = map(string)
}

variable "secret_value_from" {
  description = "valueFrom of every secret, by setting name (from the secrets module)."
  type        = map(string)
}

variable "secret_arns" {
  description = "ARN of every secret, by setting name."
  type        = map(string)
}

variable "kms_key_arn" {
  description = "Key that encrypts the secrets: the execution roles decrypt with it."
  type        = string
}

variable "task_policy_statements" {
  description = "Extra IAM statements for each service's task role (S3 buckets, SES identity)."
  type = map(list(object({
    actions   = list(string)
    resources = list(string)
  })))
}

variable "autoscaling_enabled" {
  description = "False leaves autoscaling out (the AWS emulator cannot run it)."
  type        = bool
  default     = true
}

variable "cpu_target_percent" {
  type    = number
  default = 60
}

variable "requests_per_task_target" {
  description = "Load balancer requests per task per minute the request-count policy aims for."
  type        = number
  default     = 1000
}

variable "initial_image_tag" {
  description = "Tag the task definitions start with, before the app workflow has pushed an image."
  type        = string
  default     = "bootstrap"
}

variable "internal_domain" {
  description = "Private DNS zone where the gateway registers for the backend (gateway.<internal_domain>)."
  type        = string
}

variable "metrics_log_group_names" {
  description = "Log group each service's collector writes embedded-format metrics to."
  type        = map(string)
}

variable "metrics_log_group_arns" {
  type = map(string)
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the services' metrics."
  type        = string
}

variable "trace_sample_ratio" {
  description = "OTEL_TRACES_SAMPLER_ARG of every service (parent-based ratio)."
  type        = number
}

variable "collector_image" {
  description = "AWS Distro for OpenTelemetry collector, run beside each service (pinned)."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
}

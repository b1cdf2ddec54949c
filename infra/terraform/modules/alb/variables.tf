variable "name" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  description = "Public subnets."
  type        = list(string)
}

variable "security_group_id" {
  type = string
}

variable "https_enabled" {
  description = "True when certificate_arn is set: port 443 serves, port 80 redirects to it."
  type        = bool
  default     = false
}

variable "certificate_arn" {
  type    = string
  default = ""
}

variable "targets" {
  description = "Services behind the load balancer: container port and health check path."
  type = map(object({
    port        = number
    health_path = string
  }))
}

variable "gateway_paths" {
  description = "Path patterns routed to the gateway (DESIGN.md section 7); every other /v1/* goes to the backend."
  type        = list(string)
  default = [
    "/v1/chat", "/v1/chat/*", "/v1/images", "/v1/images/*", "/v1/video",
    "/v1/video/*", "/v1/models", "/v1/models/*", "/v1/conversations", "/v1/conversations/*",
    "/v1/gateway", "/v1/gateway/*",
  ]
}

variable "idle_timeout" {
  description = "Seconds a connection may stay silent; chat streams and PDF waits need more than the default 60."
  type        = number
  default     = 180
}

variable "deletion_protection" {
  type = bool
}

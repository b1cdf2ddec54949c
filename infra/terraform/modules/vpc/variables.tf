variable "name" {
  description = "Prefix for every resource name."
  type        = string
}

variable "cidr_block" {
  description = "The VPC's address range; split into three public and three private subnets."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Availability zones to spread the subnets over."
  type        = number
  default     = 3
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all private subnets (cheaper) instead of one per zone (survives a zone outage)."
  type        = bool
  default     = true
}

variable "service_ports" {
  description = "Container port of each service: web, backend, gateway, worker."
  type        = map(number)
}

variable "flow_log_retention_days" {
  description = "How long VPC flow logs are kept."
  type        = number
  default     = 365
}

variable "kms_key_arn" {
  description = "Key that encrypts the flow log group."
  type        = string
}

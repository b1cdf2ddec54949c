resource "aws_elasticache_subnet_group" "this" {
  count      = var.enabled ? 1 : 0
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_elasticache_replication_group" "this" {
  #checkov:skip=CKV_AWS_31:No AUTH token: the services' Redis client does not speak TLS yet, and a token would cross the network in clear; the security group admits only the service tasks
  count                      = var.enabled ? 1 : 0
  replication_group_id       = var.name
  description                = "AI Studio rate limits, quota counters, job queue"
  engine                     = "redis"
  engine_version             = var.engine_version
  node_type                  = var.node_type
  port                       = 6379
  num_cache_clusters         = 1 + var.replicas
  automatic_failover_enabled = true
  multi_az_enabled           = true
  subnet_group_name          = aws_elasticache_subnet_group.this[0].name
  security_group_ids         = [var.security_group_id]
  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  # "preferred" accepts TLS and plain connections: the services' Redis client speaks plain Redis
  # only (REDIS_URL must be redis://). Switch to "required" once it speaks TLS.
  transit_encryption_enabled = true
  transit_encryption_mode    = "preferred"
  snapshot_retention_limit   = 3
  snapshot_window            = "02:00-03:00"
  maintenance_window         = "sun:03:30-sun:04:30"
  auto_minor_version_upgrade = true
  apply_immediately          = false
}

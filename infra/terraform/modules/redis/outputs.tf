output "url" {
  description = "REDIS_URL for the services (a placeholder when the group is left out)."
  value       = var.enabled ? "redis://${aws_elasticache_replication_group.this[0].primary_endpoint_address}:6379/0" : "redis://redis.invalid:6379/0"
}

output "replication_group_id" {
  value = var.enabled ? aws_elasticache_replication_group.this[0].id : ""
}

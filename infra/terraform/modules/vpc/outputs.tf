output "vpc_id" {
  value = aws_vpc.this.id
}

output "public_subnet_ids" {
  value = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  value = aws_subnet.private[*].id
}

output "alb_security_group_id" {
  value = aws_security_group.alb.id
}

output "service_security_group_ids" {
  description = "Security group of each service's tasks, by service name."
  value       = { for k, sg in aws_security_group.service : k => sg.id }
}

output "data_clients_security_group_id" {
  description = "Extra group for tasks that reach PostgreSQL and Redis."
  value       = aws_security_group.data_clients.id
}

output "postgres_security_group_id" {
  value = aws_security_group.postgres.id
}

output "redis_security_group_id" {
  value = aws_security_group.redis.id
}

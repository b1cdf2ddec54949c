output "endpoint" {
  description = "Writer endpoint."
  value       = aws_rds_cluster.this.endpoint
}

output "reader_endpoint" {
  value = aws_rds_cluster.this.reader_endpoint
}

output "port" {
  value = aws_rds_cluster.this.port
}

output "database_name" {
  value = aws_rds_cluster.this.database_name
}

output "master_username" {
  value = aws_rds_cluster.this.master_username
}

output "cluster_identifier" {
  value = aws_rds_cluster.this.cluster_identifier
}

output "cluster_resource_id" {
  value = aws_rds_cluster.this.cluster_resource_id
}

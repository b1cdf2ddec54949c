output "assets_bucket" {
  value = aws_s3_bucket.this["assets"].id
}

output "quarantine_bucket" {
  value = aws_s3_bucket.this["quarantine"].id
}

output "assets_bucket_arn" {
  value = aws_s3_bucket.this["assets"].arn
}

output "quarantine_bucket_arn" {
  value = aws_s3_bucket.this["quarantine"].arn
}

output "assets_bucket_regional_domain_name" {
  value = aws_s3_bucket.this["assets"].bucket_regional_domain_name
}

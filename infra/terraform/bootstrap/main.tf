# Applied once, from an operator's shell with administrator credentials (docs/RUNBOOK.md):
# the state bucket and lock table the stack's backend needs, and the CI identity (GitHub's OIDC
# provider, gha-infra-role, gha-deploy-role). Everything else is applied by the infra workflow.

locals {
  state_bucket  = "${var.project_name}-tfstate-${var.aws_account_id}"
  lock_table    = "${var.project_name}-tfstate-lock"
  secret_prefix = upper(replace(var.project_name, "-", "_"))
}

resource "aws_s3_bucket" "state" {
  #checkov:skip=CKV_AWS_18:Access logs would need a second bucket; CloudTrail records who touched the state
  #checkov:skip=CKV_AWS_144:One region; the bucket is versioned
  #checkov:skip=CKV_AWS_145:SSE-S3 (AES-256) is enough for state without passwords (write-only arguments keep them out)
  #checkov:skip=CKV2_AWS_62:No event notifications needed for Terraform state
  bucket        = local.state_bucket
  force_destroy = var.force_destroy_state
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    id     = "old-state-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 90
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "state" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket     = aws_s3_bucket.state.id
  policy     = data.aws_iam_policy_document.state.json
  depends_on = [aws_s3_bucket_public_access_block.state]
}

resource "aws_dynamodb_table" "lock" {
  #checkov:skip=CKV_AWS_119:Lock items only (no data): the AWS-owned key is enough
  name         = local.lock_table
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "LockID"

  attribute {
    name = "LockID"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

module "iam" {
  source               = "../modules/iam"
  project_name         = var.project_name
  github_repository    = var.github_repository
  github_branch        = var.github_branch
  state_bucket_arn     = aws_s3_bucket.state.arn
  lock_table_arn       = aws_dynamodb_table.lock.arn
  secret_prefix        = local.secret_prefix
  create_oidc_provider = var.create_oidc_provider
}

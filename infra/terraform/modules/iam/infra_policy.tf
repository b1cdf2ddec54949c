# What Terraform needs to manage the stack. Service-wide actions are scoped by the project's names
# where the service allows it. The role cannot change the CI roles themselves or their trust: those
# live in the bootstrap configuration, applied by an operator.

data "aws_iam_policy_document" "infra" {
  #checkov:skip=CKV_AWS_107:Terraform reads the secrets it manages (the provider refreshes them); scoped to the stack's secret names
  #checkov:skip=CKV_AWS_108:Terraform must read what it manages (S3, SSM, Secrets Manager) to refresh its state
  #checkov:skip=CKV_AWS_109:Terraform manages the stack's IAM roles and KMS key policy; IAM is scoped to <project>-* roles
  #checkov:skip=CKV_AWS_110:Terraform passes and manages the stack's own roles (<project>-*), not the CI roles
  #checkov:skip=CKV_AWS_111:Terraform creates these resources, so their ARNs do not exist before the plan; scoped by name where the service supports it
  #checkov:skip=CKV_AWS_356:Create and list actions of EC2, ELB, ECS, RDS, ElastiCache, CloudFront, WAF, X-Ray and friends take no resource ARN
  #checkov:skip=CKV_AWS_289:See CKV_AWS_109
  #checkov:skip=CKV_AWS_290:See CKV_AWS_111
  #checkov:skip=CKV_AWS_355:See CKV_AWS_356

  statement {
    sid = "ManageStackServices"
    actions = [
      "acm:*", "application-autoscaling:*", "cloudfront:*", "cloudwatch:*", "ec2:*", "ecr:*", "ecs:*",
      "elasticache:*", "elasticloadbalancing:*", "kms:*", "logs:*", "rds:*", "route53:*", "servicediscovery:*",
      "ses:*", "sns:*", "wafv2:*", "xray:*", "sts:GetCallerIdentity", "iam:CreateServiceLinkedRole",
      "secretsmanager:GetRandomPassword", "secretsmanager:ListSecrets", "ssm:DescribeParameters",
      "pi:*", "tag:GetResources",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "StackBuckets"
    actions   = ["s3:*"]
    resources = ["arn:${local.partition}:s3:::${var.project_name}-*"]
  }

  statement {
    sid       = "StackSecrets"
    actions   = ["secretsmanager:*"]
    resources = ["arn:${local.partition}:secretsmanager:${local.region}:${local.account}:secret:${var.secret_prefix}_*"]
  }

  statement {
    sid       = "StackParameters"
    actions   = ["ssm:*"]
    resources = ["arn:${local.partition}:ssm:${local.region}:${local.account}:parameter/${var.project_name}/*"]
  }

  statement {
    sid = "StackRoles"
    actions = [
      "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy",
      "iam:TagRole", "iam:UntagRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
      "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListInstanceProfilesForRole",
      "iam:PassRole",
    ]
    resources = ["arn:${local.partition}:iam::${local.account}:role/${var.project_name}-*"]
  }

  statement {
    sid       = "ReadCiRoles"
    actions   = ["iam:GetRole", "iam:GetOpenIDConnectProvider"]
    resources = [aws_iam_role.infra.arn, aws_iam_role.deploy.arn, local.oidc_arn]
  }

  statement {
    sid       = "StateBucket"
    actions   = ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [var.state_bucket_arn, "${var.state_bucket_arn}/*"]
  }

  statement {
    sid       = "StateLock"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable"]
    resources = [var.lock_table_arn]
  }
}

resource "aws_iam_role_policy" "infra" {
  name   = "terraform-stack"
  role   = aws_iam_role.infra.id
  policy = data.aws_iam_policy_document.infra.json
}

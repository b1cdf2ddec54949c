data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  region    = data.aws_region.current.name
  partition = data.aws_partition.current.partition
  oidc_host = "token.actions.githubusercontent.com"
  oidc_arn = (var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn :
  "arn:${local.partition}:iam::${local.account}:oidc-provider/${local.oidc_host}")
  subject = "repo:${var.github_repository}:ref:refs/heads/${var.github_branch}"
}

# GitHub's OIDC issuer: workflows trade their job token for short-lived AWS credentials, so no AWS
# key is ever stored in the repository. AWS trusts GitHub's certificate chain itself (no thumbprint).
resource "aws_iam_openid_connect_provider" "github" {
  count          = var.create_oidc_provider ? 1 : 0
  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
}

data "aws_iam_policy_document" "github_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = [local.subject]
    }
  }
}

resource "aws_iam_role" "infra" {
  name                 = "gha-infra-role"
  description          = "Terraform from ${var.github_repository} (${var.github_branch})"
  assume_role_policy   = data.aws_iam_policy_document.github_trust.json
  max_session_duration = 7200
}

resource "aws_iam_role" "deploy" {
  name               = "gha-deploy-role"
  description        = "Image push and ECS rollout from ${var.github_repository} (${var.github_branch})"
  assume_role_policy = data.aws_iam_policy_document.github_trust.json
}

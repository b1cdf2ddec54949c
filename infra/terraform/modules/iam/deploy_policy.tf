# What the app workflow needs to ship a commit: push images to the stack's repositories, register
# task definitions, roll the stack's services, record the deployed tag.

data "aws_iam_policy_document" "deploy" {
  #checkov:skip=CKV_AWS_356:ecr:GetAuthorizationToken and ecs Register/DescribeTaskDefinition take no resource ARN
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PushImages"
    actions = [
      "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart",
    ]
    resources = ["arn:${local.partition}:ecr:${local.region}:${local.account}:repository/${var.project_name}/*"]
  }

  statement {
    sid       = "TaskDefinitions"
    actions   = ["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"]
    resources = ["*"]
  }

  # Task definitions carry the stack's tags; registering them tags the new revision.
  statement {
    sid       = "TagTaskDefinitions"
    actions   = ["ecs:TagResource", "ecs:ListTagsForResource"]
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.account}:task-definition/${var.project_name}-*:*"]
  }

  statement {
    sid       = "RollServices"
    actions   = ["ecs:UpdateService", "ecs:DescribeServices"]
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.account}:service/${var.project_name}/*"]
  }

  statement {
    sid     = "PassServiceRoles"
    actions = ["iam:PassRole"]
    resources = [
      "arn:${local.partition}:iam::${local.account}:role/${var.project_name}-*-task",
      "arn:${local.partition}:iam::${local.account}:role/${var.project_name}-*-execution",
    ]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid       = "ReadStackOutputs"
    actions   = ["ssm:GetParameter"]
    resources = ["arn:${local.partition}:ssm:${local.region}:${local.account}:parameter/${var.project_name}/*"]
  }

  statement {
    sid       = "RecordImageTag"
    actions   = ["ssm:PutParameter"]
    resources = ["arn:${local.partition}:ssm:${local.region}:${local.account}:parameter/${var.project_name}/image-tag"]
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "ship-images"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}

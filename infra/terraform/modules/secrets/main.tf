# Three kinds of secret, all read by ECS into the tasks' environment (see outputs.value_from):
# - derived: the database DSN and the session key; Terraform writes them write-only, so no
#   password or key is ever in the state;
# - plain: values Terraform knows (bucket names, Redis URL, SES region, sender address);
# - placeholders: provider keys and payment credentials, a JSON object {"value": "..."} that an
#   operator fills outside Terraform (docs/RUNBOOK.md); Terraform writes only the starting value.

locals {
  derived = toset(["DATABASE_URL", "JWT_SECRET"])
  # The spec's names for the app settings whose secret name differs from the variable.
  names = merge(
    { for k in concat(tolist(local.derived), keys(var.plain_values), keys(var.placeholders)) : k => "${var.prefix}_${k}" },
    { S3_ASSETS_BUCKET = "${var.prefix}_S3_ASSETS", S3_QUAR_BUCKET = "${var.prefix}_S3_QUAR" },
  )
}

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:No rotation Lambda: the DSN and session key rotate by a version bump in Terraform, provider keys at the provider (docs/RUNBOOK.md)
  for_each                = local.names
  name                    = each.value
  description             = "AI Studio ${each.key}"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_in_days
}

ephemeral "aws_secretsmanager_random_password" "jwt" {
  password_length     = 64
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret_version" "jwt" {
  secret_id                = aws_secretsmanager_secret.this["JWT_SECRET"].id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.jwt.random_password
  secret_string_wo_version = var.jwt_secret_version
}

resource "aws_secretsmanager_secret_version" "database_url" {
  secret_id = aws_secretsmanager_secret.this["DATABASE_URL"].id
  secret_string_wo = format(
    "postgres://%s:%s@%s:%d/%s?sslmode=require",
    var.database.username, var.database_password, var.database.host, var.database.port, var.database.name,
  )
  secret_string_wo_version = var.database_password_version
}

resource "aws_secretsmanager_secret_version" "plain" {
  for_each      = var.plain_values
  secret_id     = aws_secretsmanager_secret.this[each.key].id
  secret_string = each.value
}

resource "aws_secretsmanager_secret_version" "placeholder" {
  for_each         = var.placeholders
  secret_id        = aws_secretsmanager_secret.this[each.key].id
  secret_string_wo = jsonencode({ value = each.value })
  # Written again only when the starting value in Terraform changes (e.g. a domain gives EMAIL_FROM
  # a sender), so a value an operator put there survives every other apply.
  secret_string_wo_version = parseint(substr(sha1(each.value), 0, 8), 16)
}

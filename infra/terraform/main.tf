locals {
  name          = var.project_name
  account_id    = data.aws_caller_identity.current.account_id
  secret_prefix = upper(replace(var.project_name, "-", "_"))
  is_prod       = var.environment == "prod"

  # Overridden (with use_domain) by the emulator check, which makes its own zone.
  hosted_zone_id = var.hosted_zone_id
  use_domain     = var.domain_name != "" && var.hosted_zone_id != ""
  cloudfront_on  = !var.emulator

  ports           = { web = 8080, backend = 8081, gateway = 8082, worker = 8083 }
  internal_domain = "${var.project_name}.internal"

  public_url = (
    local.use_domain ? "https://${var.domain_name}" :
    local.cloudfront_on ? module.cloudfront.url : module.alb.url
  )

  common_env = { ENV = "prod", LOG_LEVEL = "info", AWS_REGION = var.aws_region }
  provider_keys = [
    "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLE_API_KEY", "REPLICATE_API_TOKEN", "STABILITY_API_KEY",
    "NANO_BANANA_API_KEY", "NANO_BANANA_BASE_URL", "VEO3_API_KEY", "VEO3_BASE_URL", "RUNWAYML_API_SECRET",
  ]
  payment_keys = ["HYPERPAY_API_KEY", "HYPERPAY_ENTITY_ID", "HYPERPAY_WEBHOOK_KEY", "HYPERPAY_TEST_MODE"]
  data_keys    = ["DATABASE_URL", "REDIS_URL", "S3_ASSETS_BUCKET", "S3_QUAR_BUCKET"]

  services = {
    web = {
      port        = local.ports.web, cpu = 256, memory = 512, desired_count = 2, min_count = 2, max_count = 4
      health_path = "/healthz", stop_timeout = 30
      environment = merge(local.common_env, { PORT = tostring(local.ports.web) })
      secrets     = []
    }
    backend = {
      port        = local.ports.backend, cpu = 512, memory = 1024, desired_count = 2, min_count = 2, max_count = 6
      health_path = "/readyz", stop_timeout = 30
      environment = merge(local.common_env, {
        PORT                 = tostring(local.ports.backend)
        BASE_URL             = local.public_url
        GATEWAY_INTERNAL_URL = "http://gateway.${local.internal_domain}:${local.ports.gateway}"
        MAIL_TRANSPORT       = "ses"
        STORAGE              = "s3"
        # CloudFront, then the load balancer, append to X-Forwarded-For: the viewer is two entries from the end.
        # (The load balancer also answers directly; restricting it to CloudFront's origin-facing prefix list
        # would stop a direct caller from choosing its apparent address.)
        TRUSTED_PROXY_HOPS = "2"
      })
      secrets = concat(local.data_keys, local.payment_keys, ["JWT_SECRET", "SES_REGION", "EMAIL_FROM"])
    }
    gateway = {
      port        = local.ports.gateway, cpu = 512, memory = 1024, desired_count = 2, min_count = 2, max_count = 6
      health_path = "/readyz", stop_timeout = 60
      environment = merge(local.common_env, {
        PORT                  = tostring(local.ports.gateway)
        BASE_URL              = local.public_url
        STORAGE               = "s3"
        RATE_LIMIT_PER_MINUTE = tostring(var.gateway_rate_limit_per_minute)
      })
      secrets = concat(local.data_keys, local.provider_keys, ["JWT_SECRET"])
    }
    worker = {
      port        = local.ports.worker, cpu = 1024, memory = 2048, desired_count = 1, min_count = 1, max_count = 4
      health_path = "/healthz", stop_timeout = 120
      environment = merge(local.common_env, { PORT = tostring(local.ports.worker), STORAGE = "s3" })
      secrets     = concat(local.data_keys, ["GOOGLE_API_KEY", "VEO3_API_KEY", "VEO3_BASE_URL", "RUNWAYML_API_SECRET"])
    }
  }
}

module "vpc" {
  source             = "./modules/vpc"
  name               = local.name
  service_ports      = local.ports
  single_nat_gateway = var.single_nat_gateway
  kms_key_arn        = aws_kms_key.main.arn
}

module "ecr" {
  source       = "./modules/ecr"
  name         = local.name
  services     = toset(keys(local.ports))
  force_delete = !local.is_prod
}

module "s3" {
  source               = "./modules/s3"
  name                 = local.name
  account_id           = local.account_id
  force_destroy        = !local.is_prod
  cdn_distribution_arn = module.cloudfront.distribution_arn
}

ephemeral "aws_secretsmanager_random_password" "db" {
  password_length     = 40
  exclude_punctuation = true
}

module "rds" {
  source                  = "./modules/rds"
  name                    = local.name
  subnet_ids              = module.vpc.private_subnet_ids
  security_group_id       = module.vpc.postgres_security_group_id
  kms_key_arn             = aws_kms_key.main.arn
  master_password         = ephemeral.aws_secretsmanager_random_password.db.random_password
  master_password_version = var.db_password_version
  min_acu                 = var.db_min_acu
  max_acu                 = var.db_max_acu
  instance_count          = local.is_prod ? 2 : 1
  deletion_protection     = coalesce(var.db_deletion_protection, local.is_prod)
  snapshot_identifier     = var.db_snapshot_identifier
}

module "redis" {
  source            = "./modules/redis"
  name              = local.name
  enabled           = !var.emulator
  subnet_ids        = module.vpc.private_subnet_ids
  security_group_id = module.vpc.redis_security_group_id
  kms_key_arn       = aws_kms_key.main.arn
}

module "ses" {
  source        = "./modules/ses"
  domain_name   = local.use_domain ? var.domain_name : ""
  email_address = var.ses_sender_email
}

module "secrets" {
  source                  = "./modules/secrets"
  prefix                  = local.secret_prefix
  kms_key_arn             = aws_kms_key.main.arn
  recovery_window_in_days = local.is_prod ? 7 : 0

  plain_values = {
    REDIS_URL        = module.redis.url
    SES_REGION       = module.ses.region
    S3_ASSETS_BUCKET = module.s3.assets_bucket
    S3_QUAR_BUCKET   = module.s3.quarantine_bucket
  }
  placeholders = merge(
    { for k in local.provider_keys : k => "" },
    { HYPERPAY_API_KEY = "", HYPERPAY_ENTITY_ID = "", HYPERPAY_WEBHOOK_KEY = "", HYPERPAY_TEST_MODE = "true" },
    { EMAIL_FROM = module.ses.email_from },
  )

  database = {
    host     = module.rds.endpoint
    port     = 5432
    username = module.rds.master_username
    name     = module.rds.database_name
  }
  database_password = ephemeral.aws_secretsmanager_random_password.db.random_password
  # Written again when the password is rotated or the cluster is replaced (a restore): both get
  # this run's password.
  database_password_version = var.db_password_version * 100000 + parseint(substr(sha1(module.rds.cluster_resource_id), 0, 4), 16)
  jwt_secret_version        = var.jwt_secret_version
}

module "alb" {
  source              = "./modules/alb"
  name                = local.name
  vpc_id              = module.vpc.vpc_id
  subnet_ids          = module.vpc.public_subnet_ids
  security_group_id   = module.vpc.alb_security_group_id
  https_enabled       = local.use_domain
  certificate_arn     = local.use_domain ? module.acm[0].regional_certificate_arn : ""
  deletion_protection = local.is_prod
  targets = {
    for k in ["web", "backend", "gateway"] : k => {
      port        = local.services[k].port
      health_path = local.services[k].health_path
    }
  }
}

module "acm" {
  count                   = local.use_domain ? 1 : 0
  source                  = "./modules/acm"
  providers               = { aws = aws, aws.us_east_1 = aws.us_east_1 }
  domain_name             = var.domain_name
  validation_record_fqdns = module.route53[0].validation_record_fqdns
}

module "route53" {
  count              = local.use_domain ? 1 : 0
  source             = "./modules/route53"
  zone_id            = local.hosted_zone_id
  domain_name        = var.domain_name
  validation_options = module.acm[0].validation_options
  alb                = { dns_name = module.alb.dns_name, zone_id = module.alb.zone_id }
  cloudfront_enabled = local.cloudfront_on
  cloudfront = {
    domain_name = module.cloudfront.domain_name
    zone_id     = module.cloudfront.hosted_zone_id
  }
  ses_enabled            = true
  ses_verification_token = module.ses.verification_token
  ses_dkim_tokens        = module.ses.dkim_tokens
}

module "cloudfront" {
  source                             = "./modules/cloudfront"
  providers                          = { aws = aws, aws.us_east_1 = aws.us_east_1 }
  name                               = local.name
  enabled                            = local.cloudfront_on
  alb_origin_domain                  = local.use_domain ? "origin.${var.domain_name}" : module.alb.dns_name
  alb_origin_https                   = local.use_domain
  assets_bucket_regional_domain_name = module.s3.assets_bucket_regional_domain_name
  aliases                            = local.use_domain ? [var.domain_name] : []
  certificate_arn                    = local.use_domain ? module.acm[0].cloudfront_certificate_arn : ""
  blocked_ips                        = var.blocked_ips
  rate_limit_per_5min                = var.rate_limit_per_5min
}

module "observability" {
  source                     = "./modules/observability"
  name                       = local.name
  services                   = toset(keys(local.ports))
  kms_key_arn                = aws_kms_key.main.arn
  alarm_email                = var.alarm_email
  alb_arn_suffix             = module.alb.arn_suffix
  target_group_arn_suffixes  = module.alb.target_group_arn_suffixes
  cluster_name               = module.ecs.cluster_name
  service_names              = module.ecs.service_names
  rds_cluster_identifier     = module.rds.cluster_identifier
  xray_enabled               = !var.emulator
  redis_enabled              = !var.emulator
  redis_replication_group_id = module.redis.replication_group_id
  region                     = var.aws_region
}

locals {
  bucket_access = [
    {
      actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      resources = ["${module.s3.assets_bucket_arn}/*", "${module.s3.quarantine_bucket_arn}/*"]
    },
    {
      actions   = ["s3:ListBucket"]
      resources = [module.s3.assets_bucket_arn, module.s3.quarantine_bucket_arn]
    },
  ]
  ses_access = module.ses.email_from == "" ? [] : [{
    actions   = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = [module.ses.identity_arn]
  }]
}

module "ecs" {
  source             = "./modules/ecs"
  name               = local.name
  region             = var.aws_region
  services           = local.services
  repository_urls    = module.ecr.repository_urls
  repository_arns    = module.ecr.repository_arns
  vpc_id             = module.vpc.vpc_id
  private_subnet_ids = module.vpc.private_subnet_ids
  security_group_ids = {
    for k, s in local.services : k => concat(
      [module.vpc.service_security_group_ids[k]],
      contains(s.secrets, "DATABASE_URL") ? [module.vpc.data_clients_security_group_id] : [],
    )
  }
  target_group_arns         = module.alb.target_group_arns
  alb_arn_suffix            = module.alb.arn_suffix
  target_group_arn_suffixes = module.alb.target_group_arn_suffixes
  log_group_names           = module.observability.log_group_names
  log_group_arns            = module.observability.log_group_arns
  metrics_log_group_names   = module.observability.metrics_log_group_names
  metrics_log_group_arns    = module.observability.metrics_log_group_arns
  metrics_namespace         = module.observability.metrics_namespace
  trace_sample_ratio        = var.trace_sample_ratio
  secret_value_from         = module.secrets.value_from
  secret_arns               = module.secrets.arns
  kms_key_arn               = aws_kms_key.main.arn
  autoscaling_enabled       = !var.emulator
  internal_domain           = local.internal_domain
  task_policy_statements = {
    backend = concat(local.bucket_access, local.ses_access)
    gateway = local.bucket_access
    worker  = local.bucket_access
  }
}

# What the app workflow needs from this stack, readable by its deploy role without the state.
resource "aws_ssm_parameter" "deploy_outputs" {
  #checkov:skip=CKV2_AWS_34:Not a secret: resource names the deploy workflow reads
  name = "/${local.name}/terraform-outputs"
  type = "String"
  insecure_value = jsonencode({
    region              = var.aws_region
    cluster_name        = module.ecs.cluster_name
    service_names       = module.ecs.service_names
    task_families       = module.ecs.task_families
    ecr_repository_urls = module.ecr.repository_urls
    image_tag_parameter = module.ecs.image_tag_parameter
  })
}

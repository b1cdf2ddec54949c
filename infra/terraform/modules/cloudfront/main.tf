# AWS managed policies, by id: the emulator cannot create or read cache policy resources.
locals {
  caching_disabled       = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  caching_optimized      = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  all_viewer             = "216adef6-5c7f-47e4-b989-5492eafa07d3"
  security_headers       = "67f7725c-6f97-4210-82d7-5512b31e9d03"
  alb_origin_id          = "alb"
  assets_origin_id       = "assets"
  use_custom_certificate = length(var.aliases) > 0
}

resource "aws_cloudfront_origin_access_control" "assets" {
  name                              = "${var.name}-assets"
  description                       = "CloudFront reads the assets bucket's cdn/ prefix"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_86:No CloudFront access logs: it needs an ACL-enabled log bucket; the services log every request with its trace id
  #checkov:skip=CKV_AWS_310:No origin failover: a single region and a single load balancer
  #checkov:skip=CKV_AWS_374:No geo restriction: the studio is sold in Jordan but usable while travelling
  #checkov:skip=CKV2_AWS_47:The web ACL has the known-bad-inputs managed rules (Log4j included), see aws_wafv2_web_acl.this
  #checkov:skip=CKV2_AWS_42:Without a domain the distribution uses its *.cloudfront.net certificate
  #checkov:skip=CKV_AWS_174:With the default *.cloudfront.net certificate CloudFront only accepts TLSv1; with a domain the minimum is TLSv1.2_2021
  #checkov:skip=CKV_AWS_305:No default root object: the load balancer (web service) answers / itself
  #checkov:skip=CKV2_AWS_32:The security headers response policy is attached by id (managed policy)
  count           = var.enabled ? 1 : 0
  enabled         = true
  is_ipv6_enabled = true
  comment         = var.name
  price_class     = var.price_class
  aliases         = var.aliases
  web_acl_id      = aws_wafv2_web_acl.this[0].arn
  http_version    = "http2and3"

  origin {
    origin_id   = local.alb_origin_id
    domain_name = var.alb_origin_domain

    custom_origin_config {
      http_port                = 80
      https_port               = 443
      origin_protocol_policy   = var.alb_origin_https ? "https-only" : "http-only"
      origin_ssl_protocols     = ["TLSv1.2"]
      origin_read_timeout      = 60
      origin_keepalive_timeout = 60
    }
  }

  origin {
    origin_id                = local.assets_origin_id
    domain_name              = var.assets_bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.assets.id
  }

  # The app: nothing cached, every header, cookie and query string passed on.
  default_cache_behavior {
    target_origin_id           = local.alb_origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods             = ["GET", "HEAD"]
    cache_policy_id            = local.caching_disabled
    origin_request_policy_id   = local.all_viewer
    response_headers_policy_id = local.security_headers
    compress                   = true
  }

  ordered_cache_behavior {
    path_pattern               = var.cdn_path
    target_origin_id           = local.assets_origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    cache_policy_id            = local.caching_optimized
    response_headers_policy_id = local.security_headers
    compress                   = true
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = !local.use_custom_certificate
    acm_certificate_arn            = local.use_custom_certificate ? var.certificate_arn : null
    ssl_support_method             = local.use_custom_certificate ? "sni-only" : null
    minimum_protocol_version       = local.use_custom_certificate ? "TLSv1.2_2021" : "TLSv1"
  }
}

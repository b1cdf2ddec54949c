resource "aws_lb" "this" {
  #checkov:skip=CKV_AWS_91:No access logs: CloudFront sits in front and the services log every request with its trace id
  #checkov:skip=CKV2_AWS_20:Port 80 redirects to HTTPS whenever a certificate exists (domain given); without one CloudFront provides HTTPS
  #checkov:skip=CKV2_AWS_28:The web application firewall is attached to CloudFront, the public entry point (modules/cloudfront)
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.subnet_ids
  security_groups            = [var.security_group_id]
  idle_timeout               = var.idle_timeout
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
}

resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378:TLS ends at the load balancer; tasks sit in private subnets and admit only the load balancer's security group
  for_each             = var.targets
  name                 = substr("${var.name}-${each.key}", 0, 32)
  port                 = each.value.port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  health_check {
    path                = each.value.health_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

locals {
  # ALB rules take at most five path patterns each.
  gateway_path_chunks = chunklist(var.gateway_paths, 5)
  serving_listener    = var.https_enabled ? aws_lb_listener.https[0].arn : aws_lb_listener.http_forward[0].arn
}

resource "aws_lb_listener" "http_redirect" {
  count             = var.https_enabled ? 1 : 0
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

# Without a certificate (no domain) the load balancer serves plain HTTP; CloudFront in front of it
# gives viewers HTTPS on its own *.cloudfront.net name.
resource "aws_lb_listener" "http_forward" {
  #checkov:skip=CKV_AWS_2:Plain HTTP only when no domain (and so no certificate) is configured; viewers reach it through CloudFront's HTTPS
  #checkov:skip=CKV_AWS_103:No TLS on this listener (see CKV_AWS_2)
  count             = var.https_enabled ? 0 : 1
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["web"].arn
  }
}

resource "aws_lb_listener" "https" {
  count             = var.https_enabled ? 1 : 0
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["web"].arn
  }
}

resource "aws_lb_listener_rule" "gateway" {
  count        = length(local.gateway_path_chunks)
  listener_arn = local.serving_listener
  priority     = 10 + count.index

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["gateway"].arn
  }

  condition {
    path_pattern {
      values = local.gateway_path_chunks[count.index]
    }
  }
}

resource "aws_lb_listener_rule" "backend" {
  listener_arn = local.serving_listener
  priority     = 100

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["backend"].arn
  }

  condition {
    path_pattern {
      values = ["/v1/*"]
    }
  }
}

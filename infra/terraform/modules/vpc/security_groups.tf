# One group per tier. The load balancer takes HTTP(S) from anywhere; each service takes its own port
# from the load balancer (web, backend, gateway) or from the service that calls it; the data stores
# take their port from the data clients only.

resource "aws_security_group" "alb" {
  #checkov:skip=CKV2_AWS_5:Attached outside this module (load balancer, ECS services, database, Redis)
  name        = "${var.name}-alb"
  description = "Public load balancer"
  vpc_id      = aws_vpc.this.id
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  #checkov:skip=CKV_AWS_260:Port 80 answers with a redirect to HTTPS when a certificate exists; without one it is CloudFront's origin
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from anywhere (redirected to HTTPS when a certificate exists)"
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 80
  to_port           = 80
  ip_protocol       = "tcp"
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from anywhere"
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
}

resource "aws_vpc_security_group_egress_rule" "alb_to_services" {
  for_each                     = { for k in ["web", "backend", "gateway"] : k => var.service_ports[k] }
  security_group_id            = aws_security_group.alb.id
  description                  = "To the ${each.key} tasks"
  referenced_security_group_id = aws_security_group.service[each.key].id
  from_port                    = each.value
  to_port                      = each.value
  ip_protocol                  = "tcp"
}

resource "aws_security_group" "service" {
  #checkov:skip=CKV2_AWS_5:Attached outside this module (load balancer, ECS services, database, Redis)
  for_each    = var.service_ports
  name        = "${var.name}-${each.key}"
  description = "The ${each.key} service's tasks"
  vpc_id      = aws_vpc.this.id
}

resource "aws_vpc_security_group_ingress_rule" "service_from_alb" {
  for_each                     = { for k in ["web", "backend", "gateway"] : k => var.service_ports[k] }
  security_group_id            = aws_security_group.service[each.key].id
  description                  = "From the load balancer"
  referenced_security_group_id = aws_security_group.alb.id
  from_port                    = each.value
  to_port                      = each.value
  ip_protocol                  = "tcp"
}

# The backend asks the gateway for slide outlines (GATEWAY_INTERNAL_URL).
resource "aws_vpc_security_group_ingress_rule" "gateway_from_backend" {
  security_group_id            = aws_security_group.service["gateway"].id
  description                  = "Slide outlines from the backend"
  referenced_security_group_id = aws_security_group.service["backend"].id
  from_port                    = var.service_ports["gateway"]
  to_port                      = var.service_ports["gateway"]
  ip_protocol                  = "tcp"
}

# Tasks reach AI providers, payment providers and AWS APIs through the NAT gateway.
resource "aws_vpc_security_group_egress_rule" "service_https" {
  for_each          = var.service_ports
  security_group_id = aws_security_group.service[each.key].id
  description       = "HTTPS to providers and AWS APIs"
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
}

resource "aws_vpc_security_group_egress_rule" "backend_to_gateway" {
  security_group_id            = aws_security_group.service["backend"].id
  description                  = "Slide outlines from the gateway"
  referenced_security_group_id = aws_security_group.service["gateway"].id
  from_port                    = var.service_ports["gateway"]
  to_port                      = var.service_ports["gateway"]
  ip_protocol                  = "tcp"
}

# The services that hold DATABASE_URL and REDIS_URL (backend, gateway, worker, the operator task)
# carry this group as well; the web service does not and cannot reach the data stores.
resource "aws_security_group" "data_clients" {
  #checkov:skip=CKV2_AWS_5:Attached outside this module (ECS services)
  name        = "${var.name}-data-clients"
  description = "Tasks that may reach PostgreSQL and Redis"
  vpc_id      = aws_vpc.this.id
}

resource "aws_vpc_security_group_egress_rule" "data_clients_postgres" {
  security_group_id            = aws_security_group.data_clients.id
  description                  = "PostgreSQL"
  referenced_security_group_id = aws_security_group.postgres.id
  from_port                    = 5432
  to_port                      = 5432
  ip_protocol                  = "tcp"
}

resource "aws_vpc_security_group_egress_rule" "data_clients_redis" {
  security_group_id            = aws_security_group.data_clients.id
  description                  = "Redis"
  referenced_security_group_id = aws_security_group.redis.id
  from_port                    = 6379
  to_port                      = 6379
  ip_protocol                  = "tcp"
}

resource "aws_security_group" "postgres" {
  #checkov:skip=CKV2_AWS_5:Attached outside this module (Aurora cluster)
  name        = "${var.name}-postgres"
  description = "Aurora PostgreSQL"
  vpc_id      = aws_vpc.this.id
}

resource "aws_vpc_security_group_ingress_rule" "postgres" {
  security_group_id            = aws_security_group.postgres.id
  description                  = "From the data clients"
  referenced_security_group_id = aws_security_group.data_clients.id
  from_port                    = 5432
  to_port                      = 5432
  ip_protocol                  = "tcp"
}

resource "aws_security_group" "redis" {
  #checkov:skip=CKV2_AWS_5:Attached outside this module (ElastiCache)
  name        = "${var.name}-redis"
  description = "ElastiCache Redis"
  vpc_id      = aws_vpc.this.id
}

resource "aws_vpc_security_group_ingress_rule" "redis" {
  security_group_id            = aws_security_group.redis.id
  description                  = "From the data clients"
  referenced_security_group_id = aws_security_group.data_clients.id
  from_port                    = 6379
  to_port                      = 6379
  ip_protocol                  = "tcp"
}

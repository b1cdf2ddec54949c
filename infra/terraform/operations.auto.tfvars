# Operator levers. Uncomment and change one, push to main, and the infra workflow applies it
# (docs/RUNBOOK.md says when to use which).

# db_password_version           = 2                    # rotate the database password
# jwt_secret_version            = 2                    # new session key: everyone signs in again
# blocked_ips                   = ["203.0.113.7/32"]   # refused by CloudFront's firewall
# rate_limit_per_5min           = 2000                 # per-IP requests per 5 minutes at the edge
# gateway_rate_limit_per_minute = 60                   # AI requests per user per minute
# trace_sample_ratio            = 1                    # keep every new trace (X-Ray), 0.2 by default
# db_deletion_protection        = false                # only for one apply before a restore
# db_snapshot_identifier        = "ai-studio-before-restore"  # restore: replaces the cluster

# Remote state in S3 with a DynamoDB lock. The bucket and the table come from bootstrap/ (applied
# once, docs/RUNBOOK.md); their names carry the project and the account id, so they are
# given at init time, as the infra workflow does:
#   terraform init \
#     -backend-config="bucket=ai-studio-tfstate-<account id>" \
#     -backend-config="dynamodb_table=ai-studio-tfstate-lock" \
#     -backend-config="region=eu-central-1"
terraform {
  backend "s3" {
    key     = "stack/terraform.tfstate"
    encrypt = true
  }
}

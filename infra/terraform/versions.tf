terraform {
  # 1.11: ephemeral resources and write-only arguments keep the database password and the session
  # key out of the state.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

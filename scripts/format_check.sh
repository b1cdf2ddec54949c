#!/usr/bin/env bash
# Checks Swift formatting against .swift-format with the swift-format bundled in the toolchain.
# Fix findings with: swift format format --in-place -r Sources Tests Package.swift
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# --strict turns warnings into a non-zero exit; without it lint exits 0 on findings.
swift format lint --strict -r Sources Tests Package.swift
echo "format: swift format lint --strict found nothing"

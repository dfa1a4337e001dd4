#!/usr/bin/env bash
# Installs what is missing, then runs every check and every test of the workspace:
# formatting, clippy with warnings as errors, unit, property, integration and crash tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked

#!/usr/bin/env bash
# Installs what is missing, then runs every check and every test of the workspace:
# formatting, clippy with warnings as errors, bounded fuzzing, then unit, property, simulation,
# integration, network and crash tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# Bounded runs of the fuzz targets (frames, tickets, membership entries).
FUZZ_SECONDS=${FUZZ_SECONDS:-15} ./scripts/fuzz.sh
# Last, so that its summary closes the output.
cargo test --workspace --locked

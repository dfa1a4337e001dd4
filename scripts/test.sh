#!/usr/bin/env bash
# Installs what is missing, then runs every check and every test of the workspace:
# formatting, clippy with warnings as errors, the Windows build check of the desktop app, then
# unit, property, fuzz-corpus, simulation, integration, network, crash and end-to-end (real app
# under Xvfb) tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# The UI first: the desktop app embeds ui/dist when it compiles.
./scripts/ui.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# Windows-only breakage is caught here, before a release build on Windows.
cargo check -p entrepairs-app --target x86_64-pc-windows-gnu --locked
# Last, so that its summary closes the output.
cargo test --workspace --locked

#!/usr/bin/env bash
# Installs what is missing, then runs every check and every test of the workspace:
# formatting, the Windows build check, clippy with warnings as errors, then
# unit, property, fuzz-corpus, simulation, integration, network, crash and end-to-end (real app
# under Xvfb) tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# The UI first: the desktop app embeds ui/dist when it compiles.
./scripts/ui.sh
cargo fmt --all --check
# Windows-only breakage in the crates whose code differs on Windows (the data folder's
# permissions, the headless peer's output), before a release build on Windows.
cargo check -p node -p store -p cli --target x86_64-pc-windows-gnu --locked
# Clippy's lints (warnings are errors) and the test build in one compilation: clippy-driver
# compiles the workspace's own crates, linting them on the way (what `cargo clippy` runs), and
# the dependencies are built once, for the tests. Last, so that its summary closes the output.
RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver)" \
  CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" \
  cargo test --workspace --locked

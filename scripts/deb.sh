#!/usr/bin/env bash
# Builds the Debian package of the desktop app here: target/release/bundle/deb/*.deb.
# Installs what is missing first (tauri-cli takes several minutes the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh app
if ! cargo install --list | grep -q "^tauri-cli v2\."; then
  cargo install --locked tauri-cli --version "^2"
fi
cd src-tauri
cargo tauri build --bundles deb
ls -l ../target/release/bundle/deb/*.deb

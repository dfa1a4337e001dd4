#!/usr/bin/env bash
# Builds the Debian package of the desktop app here: target/dist/bundle/deb/*.deb, with
# Cargo.toml's `dist` profile (fat LTO, one codegen unit, stripped), its files compressed with
# xz (scripts/repack-deb.sh).
# Installs what is missing first (tauri-cli takes several minutes the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh app
if ! cargo install --list | grep -q "^tauri-cli v2\."; then
  cargo install --locked tauri-cli --version "^2"
fi
cd src-tauri
cargo tauri build --bundles deb -- --profile dist
cd ..
# xz rather than the bundler's gzip: a third smaller, as Debian's own packages.
./scripts/repack-deb.sh target/dist/bundle/deb/*.deb

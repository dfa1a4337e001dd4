#!/usr/bin/env bash
# Installs what is missing, builds the UI and the desktop app, and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh app
./scripts/ui.sh --release
exec cargo run --quiet --release -p entrepairs-app -- "$@"

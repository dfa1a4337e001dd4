#!/usr/bin/env bash
# Installs what is missing, builds and runs the Entrepairs headless peer with the given
# arguments (`./scripts/app.sh --help` lists the commands).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh cli
exec cargo run --quiet --release -p cli -- "$@"

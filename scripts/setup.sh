#!/usr/bin/env bash
# Installs what building and testing Entrepairs needs and is missing on this machine.
# Idempotent: on a machine that has everything it only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

toolchain=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)

if ! command -v rustup >/dev/null 2>&1; then
  echo "setup: rustup is required (https://rustup.rs) to build Entrepairs" >&2
  exit 1
fi

# The pinned toolchain. Where it is not installed under its own name but the default stable
# toolchain is that very version (machines without network beyond the package registries),
# register stable under the pinned name instead of downloading it.
if ! rustup toolchain list | grep -q "^${toolchain}-"; then
  stable_version=$(rustup run stable rustc --version 2>/dev/null | awk '{print $2}')
  if [ "$stable_version" = "$toolchain" ]; then
    # `rustup toolchain link` refuses official-looking names, so point the name at stable's
    # directory the way rustup itself lays toolchains out.
    host=$(rustup run stable rustc -vV | sed -n 's/^host: //p')
    home=${RUSTUP_HOME:-$HOME/.rustup}
    ln -sfn "$(rustup run stable rustc --print sysroot)" "$home/toolchains/${toolchain}-${host}"
  else
    rustup toolchain install "$toolchain" --profile minimal --component rustfmt,clippy
  fi
fi

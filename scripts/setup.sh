#!/usr/bin/env bash
# Installs what is missing on this machine for one purpose:
#   setup.sh cli    the headless peer: the pinned toolchain and a C compiler
#   setup.sh app    the desktop app: also WebKitGTK, the wasm32 target, wasm-bindgen-cli and
#                   Node.js (wasm-opt for release builds)
#   setup.sh        (or `test`) every check and test: also Xvfb, WebKitWebDriver, tauri-driver,
#                   mingw and the Windows target, Node.js for the benchmark harness
# Idempotent: on a machine that has everything it only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-test}
case "$purpose" in
  cli | app | test) ;;
  *)
    echo "setup: unknown purpose '$purpose' (cli, app or test)" >&2
    exit 2
    ;;
esac

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

# System packages (Debian/Ubuntu names): a C compiler for SQLite and the crypto library; for the
# desktop app WebKitGTK and friends, and xdg-open, through which it opens links in the browser;
# for the tests Xvfb and WebKitWebDriver (end-to-end tests, which check that a link reaches
# xdg-open), mingw for the Windows check, ImageMagick for the screenshots, ip and iptables for
# the NAT test's network namespaces.
packages=(build-essential pkg-config)
if [ "$purpose" != cli ]; then
  packages+=(
    libwebkit2gtk-4.1-dev curl wget file libxdo-dev libssl-dev libayatana-appindicator3-dev
    librsvg2-dev xdg-utils
  )
fi
if [ "$purpose" = test ]; then
  packages+=(xvfb xauth webkit2gtk-driver gcc-mingw-w64-x86-64 imagemagick iproute2 iptables)
fi
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Installs Debian packages with apt-get (as root, or through sudo), or says what to install.
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: install these packages (Debian names): $*" >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# Node.js (18 or later) and npm: the benchmark harness compares with automerge-repo, pinned by
# crates/xtask/automerge-repo/package-lock.json (installed by `npm install --no-save` on first
# use), and `scripts/ui.sh --release` shrinks the UI with binaryen's wasm-opt, pinned by
# scripts/binaryen/package-lock.json.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$purpose" != cli ]; then
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
  if [ "$(node_major)" -lt 18 ]; then
    echo "setup: Node.js $(node --version 2>/dev/null) is too old: 18 or later is needed (https://nodejs.org)" >&2
    exit 1
  fi
fi
if [ "$purpose" = cli ]; then
  exit 0
fi

# Rust targets: the UI's wasm32, and Windows for the cross check.
targets=(wasm32-unknown-unknown)
if [ "$purpose" = test ]; then targets+=(x86_64-pc-windows-gnu); fi
for target in "${targets[@]}"; do
  if ! rustup target list --installed --toolchain "$toolchain" 2>/dev/null | grep -qx "$target"; then
    rustup target add --toolchain "$toolchain" "$target" \
      || rustup target add --toolchain stable "$target"
  fi
done

# Pinned tools, installed only when that exact version is missing. wasm-bindgen-cli must equal
# the wasm-bindgen crate in Cargo.lock: scripts/ui.sh binds the UI with it.
wasm_bindgen=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
installed=$(cargo install --list)
install_tool() { # crate version
  if ! grep -q "^$1 v$2:" <<<"$installed"; then
    echo "setup: installing $1 $2"
    cargo install --locked "$1" --version "$2"
  fi
}
install_tool wasm-bindgen-cli "$wasm_bindgen"
if [ "$purpose" = test ]; then
  install_tool tauri-driver 2.1.0
fi

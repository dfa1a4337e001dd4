#!/usr/bin/env bash
# Builds the desktop's UI into ui/dist, which the app embeds when it compiles: the Leptos crate
# for wasm32, its JavaScript bindings by the wasm-bindgen CLI (the version Cargo.lock pins), the
# style sheet, and a page that loads them. `--release` builds the optimised wasm and shrinks it
# with binaryen's wasm-opt (-Oz), the version scripts/binaryen pins, installed with npm into the
# target directory on first use: half the bytes for WebKit to fetch and compile at each start.
# The page of the benchmark's empty app (crates/empty-ui/dist) is built the same way in the
# same run.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
flags=()
if [ "${1:-}" = "--release" ]; then
  # Cargo.toml's `wasm-release` profile: sized for download rather than speed.
  profile=wasm-release
  flags=(--profile wasm-release)
fi
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
# JSON escapes a Windows path's backslashes.
target_dir=${target_dir//\\\\/\\}
: "${target_dir:?ui: cannot find the target directory cargo builds in}"

cargo build -p ui -p empty-ui --target wasm32-unknown-unknown --locked "${flags[@]}"

wasm_opt=""
if [ "$profile" = wasm-release ]; then
  tools="$target_dir/tools/binaryen"
  # Installed once per pinned lock: the copy of the lock beside the install is its marker,
  # written only once the install succeeded.
  if ! cmp -s scripts/binaryen/package-lock.json "$tools/installed.lock"; then
    node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    if ! command -v npm >/dev/null 2>&1 || [ "$node_major" -lt 18 ]; then
      echo "ui: wasm-opt (binaryen) needs Node.js 18 or later and npm: ./scripts/setup.sh app installs them" >&2
      exit 1
    fi
    rm -rf "$tools"
    mkdir -p "$tools"
    cp scripts/binaryen/package.json scripts/binaryen/package-lock.json "$tools/"
    (cd "$tools" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    cp scripts/binaryen/package-lock.json "$tools/installed.lock"
  fi
  wasm_opt="$tools/node_modules/.bin/wasm-opt"
fi

# page CRATE DIST TITLE [STYLESHEET]: DIST replaced whole by CRATE's page, so that a build that
# stops half-way never leaves a mixed page behind.
page() {
  local crate=$1 dist=$2 title=$3 style=${4:-}
  rm -rf "$dist.partial"
  mkdir -p "$dist.partial"
  wasm-bindgen --target web --no-typescript --out-dir "$dist.partial" --out-name ui \
    "$target_dir/wasm32-unknown-unknown/$profile/$crate.wasm"
  if [ -n "$wasm_opt" ]; then
    # The features Rust's wasm32 target emits, and no others (WebKit must run the result).
    "$wasm_opt" -Oz --enable-bulk-memory --enable-mutable-globals --enable-sign-ext \
      --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
      "$dist.partial/ui_bg.wasm" -o "$dist.partial/ui_bg.opt.wasm"
    mv "$dist.partial/ui_bg.opt.wasm" "$dist.partial/ui_bg.wasm"
  fi
  local link=""
  if [ -n "$style" ]; then
    cp "$style" "$dist.partial/style.css"
    link='<link rel="stylesheet" href="/style.css" />'
  fi
  cat > "$dist.partial/index.html" <<HTML
<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>$title</title>
    $link
    <link rel="modulepreload" href="/ui.js" />
    <link rel="preload" href="/ui_bg.wasm" as="fetch" type="application/wasm" crossorigin="anonymous" />
    <script type="module">
      import init from '/ui.js';
      await init({ module_or_path: '/ui_bg.wasm' });
    </script>
  </head>
  <body></body>
</html>
HTML
  rm -rf "$dist"
  mv "$dist.partial" "$dist"
  echo "ui: built $dist ($profile)"
}

page ui ui/dist Entrepairs ui/style.css
page empty-ui crates/empty-ui/dist Empty

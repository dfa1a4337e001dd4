#!/usr/bin/env bash
# Recompresses Debian packages in place with xz, as Debian's own packages are: Tauri's bundler
# writes their files with gzip, which leaves the package about a third larger. The files, their
# modes and the control data are unchanged; dpkg and apt install both alike.
# Usage: scripts/repack-deb.sh PACKAGE.deb...
set -euo pipefail
# A package's files as "mode size path", paths without their leading "./" or trailing "/".
files() {
  dpkg-deb --contents "$1" |
    awk '{ p = $6; sub(/^\.\//, "", p); sub(/\/$/, "", p); if (p != "" && p != ".") print $1, $3, p }' |
    sort -k3
}
for deb in "$@"; do
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  dpkg-deb --raw-extract "$deb" "$work/root"
  dpkg-deb --build -Zxz -z9 --root-owner-group "$work/root" "$work/repacked.deb" >/dev/null
  # The same files (mode, size, path), or the repacked package is not kept.
  if ! diff <(files "$deb") <(files "$work/repacked.deb") >/dev/null; then
    echo "repack-deb: $deb: the repacked package differs in its files; kept as it was" >&2
    exit 1
  fi
  mv "$work/repacked.deb" "$deb"
  rm -rf "$work"
  trap - EXIT
  echo "repack-deb: $deb ($(stat -c %s "$deb") bytes)"
done

#!/usr/bin/env bash
# Runs each fuzz target coverage-guided for a bounded time (FUZZ_SECONDS, default 20) on the
# nightly toolchain, starting from the corpus kept in fuzz/corpus/ (what it finds is added there:
# commit what is worth replaying on every test run). Installs cargo-fuzz if it is missing. A crash
# leaves its input under fuzz/artifacts/ and fails. `cargo test` replays the corpus without it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
for target in frame changes ticket membership; do
  cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=1024 -max_len=65536
done

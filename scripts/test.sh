#!/usr/bin/env bash
# Runs every test of Atelier: formatting, lints, the UI type check and build, Rust unit and
# integration tests, the relay over real sockets, and the kiosk end to end under Xvfb.
# Installs whatever is missing first (scripts/bootstrap.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$(date +%s)
source scripts/bootstrap.sh

step "UI: type check and build (embedded into the kiosk binary)"
(cd ui && npm run build)

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "build the binaries the cross-process tests launch"
cargo build --workspace --bins --locked

step "tests (under Xvfb)"
# One virtual portrait screen for all UI tests; -a picks a free display number.
xvfb-run -a -s "-screen 0 1080x1920x24 -nolisten tcp" \
  cargo nextest run --workspace --locked --no-fail-fast

step "doc tests"
cargo test --workspace --doc --locked

echo
echo "all tests passed in $(( $(date +%s) - started )) s"

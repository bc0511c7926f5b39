#!/usr/bin/env bash
# Installs what Atelier needs on a fresh Debian 12 / Ubuntu machine, skipping what is present.
# Safe to run any number of times. Sourced by scripts/demo.sh and scripts/test.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "system packages"
bash "$root/scripts/ensure-system-deps.sh"

step "Rust toolchain"
if ! command -v cargo >/dev/null 2>&1; then
  if [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "installing rustup (stable, minimal + clippy + rustfmt)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy -c rustfmt
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi
cargo --version
if command -v rustup >/dev/null 2>&1; then
  for c in clippy rustfmt; do
    rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
  done
fi

step "cargo tools"
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v tauri-driver >/dev/null 2>&1; then
  cargo install tauri-driver --locked --version 2.1.0
fi
if ! cargo nextest --version >/dev/null 2>&1; then
  cargo install cargo-nextest --locked
fi

step "npm packages (from the lockfile)"
if [[ ! -d "$root/ui/node_modules" ]] || [[ "$root/ui/package-lock.json" -nt "$root/ui/node_modules/.package-lock.json" ]]; then
  (cd "$root/ui" && npm ci --no-audit --no-fund)
else
  echo "ui/node_modules is current"
fi
# The remote peer in the calls tests: headless Chromium driven by playwright-core (no browser download).
browser="$root/crates/call/tests/browser"
if [[ -f "$browser/package-lock.json" ]]; then
  if [[ ! -d "$browser/node_modules" ]] || [[ "$browser/package-lock.json" -nt "$browser/node_modules/.package-lock.json" ]]; then
    (cd "$browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  else
    echo "crates/call/tests/browser/node_modules is current"
  fi
fi

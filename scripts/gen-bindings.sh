#!/usr/bin/env bash
# Regenerates ui/shared/bindings.ts from the Rust types.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ATELIER_UPDATE_BINDINGS=1 cargo test -q -p atelier bindings_are_current
echo "ui/shared/bindings.ts regenerated"

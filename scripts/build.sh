#!/usr/bin/env bash
# Builds the release into dist/. Extra arguments go to trunk, e.g. --public-url /flowlab/
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# Panic locations name source files; without the registry's long prefix they are shorter.
flags=""
for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do flags+=" --remap-path-prefix=$d="; done
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${flags# }"
trunk build --release --offline "$@"

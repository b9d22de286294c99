#!/usr/bin/env bash
# Builds the release into dist/. Extra arguments go to trunk, e.g. --public-url /flowlab/
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
trunk build --release --offline "$@"

#!/usr/bin/env bash
# Installs what Flowlab needs, only what is missing. Safe to run again and again.
#   scripts/setup.sh          build tools, the provider's npm packages
#   scripts/setup.sh --test   the same, plus Chromium and django-oauth-toolkit (.venv) for the
#                             end-to-end tests
#   scripts/setup.sh --dot    the build tools and django-oauth-toolkit (for the demo against it)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must be exactly the wasm-bindgen in Cargo.lock (pinned with = in Cargo.toml).
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! grep -q "wasm-bindgen = \"=$WASM_BINDGEN_VERSION\"" Cargo.toml || ! grep -q "wasm_bindgen = \"$WASM_BINDGEN_VERSION\"" Trunk.toml; then
  echo "wasm-bindgen $WASM_BINDGEN_VERSION (Cargo.lock) must be pinned in Cargo.toml (=) and Trunk.toml [tools]" >&2
  exit 1
fi

if ! command -v cargo >/dev/null; then
  echo "cargo is missing: install Rust with rustup first (https://rustup.rs)" >&2
  exit 1
fi
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  say "Installing trunk $TRUNK_VERSION (about 9 minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  # Not --locked: a yanked dependency in its lockfile makes --locked fail.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# A current wasm-opt (binaryen 116) from the wasm-opt crate: Debian's binaryen 108 mis-handles
# wasm-bindgen's externref table. It lands in ~/.cargo/bin, ahead of any system wasm-opt.
WASM_OPT_VERSION=0.116.1
if ! "$HOME/.cargo/bin/wasm-opt" --version 2>/dev/null | grep -q "version 116"; then
  say "Installing wasm-opt $WASM_OPT_VERSION (binaryen 116; about 10 minutes, once)"
  cargo install wasm-opt --version "$WASM_OPT_VERSION" --locked
fi

apt_missing=()
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then apt_missing+=(nodejs npm); fi
if [ "${1:-}" = "--test" ] && [ ! -x /usr/bin/chromium ]; then apt_missing+=(chromium); fi
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "Installing ${apt_missing[*]} from Debian"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

# The second test provider, django-oauth-toolkit, in a virtual environment under the project
# (.venv, git-ignored), exactly as pinned. Reinstalled only when the pins change.
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--dot" ]; then
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    say "Installing python3-venv from Debian"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  fi
  if [ ! -x .venv/bin/python ]; then
    say "Making the Python virtual environment (.venv)"
    python3 -m venv .venv
  fi
  if ! cmp -s tests/dot/requirements.txt .venv/.flowlab-requirements; then
    say "Installing django-oauth-toolkit (tests/dot/requirements.txt)"
    .venv/bin/pip install --quiet --disable-pip-version-check --no-deps -r tests/dot/requirements.txt
    cp tests/dot/requirements.txt .venv/.flowlab-requirements
  fi
fi

# The provider and test packages, exactly as locked. Reinstalled only when the lockfile changes.
if [ ! -f tests/node_modules/.package-lock.json ] || ! cmp -s tests/package-lock.json tests/node_modules/.flowlab-lock; then
  say "Installing npm packages (tests/package-lock.json)"
  (cd tests && npm ci --no-audit --no-fund --loglevel=error)
  cp tests/package-lock.json tests/node_modules/.flowlab-lock
fi

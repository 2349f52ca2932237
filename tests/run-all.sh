#!/usr/bin/env bash
# Runs every Mekiki test on this machine: Rust unit, golden, CLI/protocol and hostile-input tests,
# the extension's unit tests, the corpus evaluation floor, and the end-to-end test in real Thunderbird.
# Installs what it needs first (Debian packages and npm dev-dependencies) when it can.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

need_pkgs=()
for tool in thunderbird:thunderbird Xvfb:xvfb strace:strace /usr/bin/time:time zip:zip xdotool:xdotool; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need_pkgs+=("${tool##*:}")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  step "installing ${need_pkgs[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  fi
fi

step "cargo test (unit, golden, CLI/protocol, hostile input, evaluation floor)"
cargo test --workspace --locked

# The fuzz crate is outside the workspace (cargo-fuzz builds it with its own flags); checking that its
# targets still compile keeps them usable as the engine's types change.
step "fuzz targets compile (cargo check)"
cargo check --locked --manifest-path fuzz/Cargo.toml --bins

# Likewise the criterion benchmark, which `cargo test` does not build.
step "benchmark compiles (cargo check --benches)"
cargo check --locked -p mekiki --benches

step "extension unit tests (node --test)"
npm ci --no-audit --no-fund --loglevel=error
npm test

step "end-to-end in real Thunderbird"
tests/e2e/run.sh

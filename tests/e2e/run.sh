#!/usr/bin/env bash
# End-to-end test in real Thunderbird (see run.mjs). Installs Thunderbird and its Japanese language
# pack, Xvfb and zip when missing (as root, from Debian's packages), builds the host, then runs the
# scenarios. Artifacts (screenshots, Thunderbird logs, timings.json): target/e2e/.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
for tool in thunderbird:thunderbird Xvfb:xvfb zip:zip; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
done
# The Japanese language pack, for the scenario with Thunderbird's UI in Japanese.
dpkg -s thunderbird-l10n-ja >/dev/null 2>&1 || missing+=(thunderbird-l10n-ja)
if [ ${#missing[@]} -gt 0 ]; then
  echo "[e2e] installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --release: test the optimized host (what users install), for realistic timings.
profile=debug
if [ "${1:-}" = "--release" ]; then
  profile=release
  shift
fi
cargo build --quiet --locked -p mekiki $([ "$profile" = release ] && echo --release)
MEKIKI_E2E_PROFILE=$profile exec node tests/e2e/run.mjs "$@"

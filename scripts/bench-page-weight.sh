#!/usr/bin/env bash
# Benchmark: page weight (issue 22). Loads the setup page, the new-project page, a project's page
# and its public status page in headless Chromium with the network throttled to DevTools' "Fast 3G"
# profile, each in a fresh browser context, and prints per page the bytes that crossed the network
# (wasm / js / css / html / data), first contentful paint and the time to interactive (when the
# hydrated page answers a click: `body[data-hydrated]`, see end2end/bench/page-weight.mjs).
# It also prints what each page's wasm weighs gzip -9 (scripts/page-weight.py).
# Usage: scripts/bench-page-weight.sh            (builds the release site first when needed)
#        LOCKSTEP_BIN=... LOCKSTEP_SITE_ROOT=... scripts/bench-page-weight.sh   (a given build)
#        RUNS=5 scripts/bench-page-weight.sh     (loads per page; the median is printed)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LOCKSTEP_ROOT"
if [ -z "${LOCKSTEP_BIN:-}" ]; then
  bash scripts/build-site.sh >&2
  export LOCKSTEP_BIN="$CARGO_TARGET_DIR/release/lockstep"
  export LOCKSTEP_SITE_ROOT="$CARGO_TARGET_DIR/site"
fi
export LOCKSTEP_SITE_ROOT="${LOCKSTEP_SITE_ROOT:-$CARGO_TARGET_DIR/site}"
export LOCKSTEP_MOTO_SERVER="${LOCKSTEP_MOTO_SERVER:-$LOCKSTEP_VENV/bin/moto_server}"
[ -d end2end/node_modules/playwright-core ] || (cd end2end && npm ci --silent --no-audit --no-fund)

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(chromium --version 2>/dev/null)"
echo "the wasm in $LOCKSTEP_SITE_ROOT/pkg:"
python3 scripts/page-weight.py "$LOCKSTEP_SITE_ROOT/pkg"
node end2end/bench/page-weight.mjs

#!/usr/bin/env bash
# Issue 21's build benchmark: the newcomer's path (scripts/setup.sh + scripts/build-site.sh) from
# EMPTY tool and target caches, then again warm, printed beside the figures measured before the
# change (cargo-leptos era, same kind of 2-core machine) as ratios new / old.
#
#   ./scripts/bench-build.sh            # takes as long as a first run (~20 min on 2 cores)
#
# Debian packages are not removed (they are the machine's), so that phase is warm in both runs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LOCKSTEP_ROOT"
work="$(mktemp -d "${TMPDIR:-/tmp}/lockstep-bench-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# Empty tool, target, crate-download (CARGO_HOME), pip and npm caches: what a fresh machine has.
mkdir -p "$work/cargo-home"
export LOCKSTEP_CACHE="$work/cache" CARGO_TARGET_DIR="$work/target" CARGO_HOME="$work/cargo-home" \
  PIP_CACHE_DIR="$work/pip-cache" npm_config_cache="$work/npm-cache"

run_once() { # $1 = label; prints "phase: Ns" lines into $work/$1
  : > "$work/$1"
  local t0; t0=$(date +%s)
  LOCKSTEP_TIMINGS="$work/$1" bash scripts/setup.sh run
  LOCKSTEP_TIMINGS="$work/$1" bash scripts/build-site.sh
  echo "to the URL (setup + build): $(( $(date +%s) - t0 ))s" >> "$work/$1"
}
run_once cold
run_once warm

# Before (README of 2026-12 session 8, issue 21's table): seconds.
declare -A OLD=(
  ["setup: cargo-leptos / tools"]=991      # cargo-leptos 832 + wasm-bindgen-cli 125 + binaryen/moto/playwright 34
  ["release build"]=1786
  ["to the URL (setup + build)"]=2798
)
sum() { grep -E "$2" "$work/$1" | sed -E 's/.*: ([0-9]+)s$/\1/' | awk '{ t += $1 } END { print t + 0 }'; }
printf '\n%-32s %8s %8s %8s %8s\n' "phase" "old s" "cold s" "ratio" "warm s"
for k in "setup: cargo-leptos / tools" "release build" "to the URL (setup + build)"; do
  case "$k" in
    setup*) re='^setup: ';;   # the wasm tools now compile inside the build phase, beside the server
    release*) re='^build: ';;
    *) re='^to the URL';;
  esac
  c=$(sum cold "$re"); w=$(sum warm "$re")
  printf '%-32s %8s %8s %8s %8s\n' "$k" "${OLD[$k]}" "$c" "$(awk -v a="$c" -v b="${OLD[$k]}" 'BEGIN { printf "%.2f", a / b }')" "$w"
done
echo; echo "phases, cold:"; cat "$work/cold"; echo; echo "phases, warm:"; cat "$work/warm"

# shellcheck shell=bash
# Shared by scripts/*.sh: where tools and caches live, and a per-phase timer.
#
# Everything lockstep's scripts install lives under $LOCKSTEP_CACHE (default ~/.cache/lockstep),
# never inside the clone, so a second run on the same machine is warm and `git clean` is harmless.
set -euo pipefail

LOCKSTEP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export LOCKSTEP_CACHE="${LOCKSTEP_CACHE:-$HOME/.cache/lockstep}"  # exported: server/tests/ip_cert_lab.rs finds certbot-venv there
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lockstep-target}"
LOCKSTEP_TOOLS="$LOCKSTEP_CACHE/tools"
LOCKSTEP_VENV="$LOCKSTEP_CACHE/venv"
# $LOCKSTEP_CACHE/bin: the tools scripts/wasm-tools.sh installs (wasm-bindgen, wasm-opt, lockstep-wasm-split).
export PATH="$LOCKSTEP_CACHE/bin:$HOME/.cargo/bin:$LOCKSTEP_VENV/bin:$PATH"

# Pinned tool versions (see ../shared/notes/build.md for why each one).
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen pin in Cargo.toml
BINARYEN_VERSION=132.0.0
MOTO_VERSION=5.2.5
# certbot from PyPI for server/tests/ip_cert_lab.rs: IP-address certificates need 5.3+ (Debian's is
# 2.1); must equal lockstep_domain::ipcert::CERTBOT_VERSION (what the generated script installs).
CERTBOT_VERSION=5.8.0
LOCKSTEP_CERTBOT_VENV="$LOCKSTEP_CACHE/certbot-venv"

# What the first run on a fresh 2-core machine takes, printed up front (README "Build and CI
# time"): 26.0 min to the URL in the idle cold run of 2026-12-07 evening (session 15; 22.8 min
# in session 14's), 44.8 min for the whole test command (session 14).
FIRST_RUN_MINUTES=26
FIRST_TEST_MINUTES=45

_phase_name=""
_phase_start=0
phase() {
  phase_end
  _phase_name="$1"
  _phase_start=$(date +%s)
  printf '\n\033[1m== %s ==\033[0m\n' "$_phase_name"
}
phase_end() {
  if [ -n "$_phase_name" ]; then
    printf '\033[1m== %s: %ss ==\033[0m\n' "$_phase_name" "$(( $(date +%s) - _phase_start ))"
    echo "$_phase_name: $(( $(date +%s) - _phase_start ))s" >> "${LOCKSTEP_TIMINGS:-/dev/null}"
    _phase_name=""
  fi
}

# Runs `cargo "$@"` and shows that it is moving: each Compiling/Checking line is printed with
# how many crates are done out of about how many, and the minutes so far; when a single big
# crate (the AWS SDK's, lockstep's own) keeps cargo quiet for 30 s, a line says it is still at
# work. The total is the number of packages in Cargo.lock (an upper bound: one build uses
# fewer), so "~" is honest. Plain bash, line by line: Debian's awk (mawk) buffers a pipe's
# input, which held every line back for minutes.
#
# CARGO_PROGRESS_LABEL=server puts "server " before each line (two builds running side by side).
cargo_progress() {
  local total start n=0 line last="" el tag="${CARGO_PROGRESS_LABEL:+$CARGO_PROGRESS_LABEL }"
  # CARGO_PROGRESS_TOTAL=0 (e.g. `cargo install` of a tool, whose crates are not in our lock) prints no total.
  total=${CARGO_PROGRESS_TOTAL:-$(grep -c '^name = ' "$LOCKSTEP_ROOT/Cargo.lock" || echo 0)}
  start=$SECONDS
  cargo "$@" 2>&1 | while true; do
    if IFS= read -r -t 30 line; then
      el=$((SECONDS - start))
      if [[ $line =~ ^\ *(Compiling|Checking)\ ([^ ]+)\ ([^ ]+) ]]; then
        n=$((n + 1))
        last="${BASH_REMATCH[2]}"
        if [ "$total" -gt 0 ]; then
          printf '  %s[%d/~%d crates, %dm%02ds] %s %s\n' "$tag" "$n" "$total" $((el / 60)) $((el % 60)) "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
        else
          printf '  %s[%d crates, %dm%02ds] %s %s\n' "$tag" "$n" $((el / 60)) $((el % 60)) "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
        fi
      else
        printf '%s%s\n' "$tag" "$line"
      fi
    elif [ $? -gt 128 ]; then
      el=$((SECONDS - start))
      printf '  %s[%dm%02ds] still compiling%s (a big crate takes a few minutes on 2 cores)\n' "$tag" $((el / 60)) $((el % 60)) "${last:+ (last started: $last)}"
    else
      break
    fi
  done
  return "${PIPESTATUS[0]}"
}

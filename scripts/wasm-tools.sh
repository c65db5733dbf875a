#!/usr/bin/env bash
# The three tools that turn the browser's wasm into the site's files, installed into
# $LOCKSTEP_CACHE/bin (on PATH through scripts/lib.sh; never ~/.cargo/bin, so an empty
# LOCKSTEP_CACHE really is a fresh machine, and removing ~/.cache/lockstep removes them):
#   wasm-bindgen-cli  the exact version pinned in Cargo.toml (compiled once, about 2-3 minutes);
#   wasm-opt          npm's binaryen (Debian's 108 produces a wasm that breaks hydration);
#   lockstep-wasm-split  scripts/wasm-split (compiled once, about 2 minutes).
# scripts/build-site.sh runs this after the browser's cargo build, while the server's release
# build is still compiling on the other core: on a fresh machine the tools' compile time hides
# inside the server's (issue 21). Each one is skipped when the right version is already there.
# Not a `phase`: its time is part of build-site's side-by-side phase; it prints its own.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN="$LOCKSTEP_CACHE/bin"
mkdir -p "$BIN"
t0=$SECONDS
export CARGO_PROGRESS_LABEL=tools CARGO_PROGRESS_TOTAL=0

if ! "$BIN/wasm-bindgen" --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  # Not --locked: its lock names a webpki-roots version the reachable index lacks.
  echo "tools: compiling wasm-bindgen-cli $WASM_BINDGEN_VERSION once (2-3 minutes; later runs skip this)"
  CARGO_TARGET_DIR="$LOCKSTEP_CACHE/build-tools" cargo_progress install --root "$LOCKSTEP_CACHE" \
    wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if ! "$LOCKSTEP_TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "${BINARYEN_VERSION%%.*}"; then
  echo "tools: installing wasm-opt (npm binaryen $BINARYEN_VERSION)"
  mkdir -p "$LOCKSTEP_TOOLS"
  (cd "$LOCKSTEP_TOOLS" && npm install --silent --no-audit --no-fund "binaryen@$BINARYEN_VERSION")
fi
ln -sf "$LOCKSTEP_TOOLS/node_modules/.bin/wasm-opt" "$BIN/wasm-opt"

# Cuts the browser's wasm into one chunk per page (scripts/build-site.sh). Built from
# wasm_split_cli_support 0.2.4 (what `cargo leptos --split` uses) with one change,
# scripts/wasm-split/main-if-shared.patch: code that three or more pages share goes into the main
# part instead of many small chunks (README "Page weight"). Rebuilt when its sources change: by
# their content, not their dates (a fresh clone's files are all new, yet the same).
split_sum="$(cd "$LOCKSTEP_ROOT/scripts/wasm-split" && find . -type f -not -path './target/*' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)"
split_stamp="$LOCKSTEP_CACHE/build-tools/lockstep-wasm-split.sha256"
if [ ! -x "$BIN/lockstep-wasm-split" ] || [ "$(cat "$split_stamp" 2>/dev/null)" != "$split_sum" ]; then
  echo "tools: compiling lockstep-wasm-split once (about 2 minutes; later runs skip this)"
  cargo fetch --quiet --manifest-path "$LOCKSTEP_ROOT/scripts/wasm-split/Cargo.toml"
  split_src="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/wasm_split_cli_support-0.2.4 | head -1)"
  split_patched="$LOCKSTEP_CACHE/build-tools/wasm_split_cli_support-0.2.4-lockstep"
  rm -rf "$split_patched"
  mkdir -p "$(dirname "$split_patched")"
  cp -r "$split_src" "$split_patched"
  (cd "$split_patched" && patch -p1 -s < "$LOCKSTEP_ROOT/scripts/wasm-split/main-if-shared.patch")
  CARGO_TARGET_DIR="$LOCKSTEP_CACHE/build-tools" cargo_progress install --force --root "$LOCKSTEP_CACHE" \
    --path "$LOCKSTEP_ROOT/scripts/wasm-split" --config "patch.crates-io.wasm_split_cli_support.path=\"$split_patched\""
  echo "$split_sum" > "$split_stamp"
fi
echo "tools: $("$BIN/wasm-bindgen" --version), $("$BIN/wasm-opt" --version), lockstep-wasm-split ok ($((SECONDS - t0))s)"

#!/usr/bin/env bash
# Builds the release site: the server binary and the hydrated wasm with its JavaScript glue, the
# CSS and the static assets, into "$CARGO_TARGET_DIR/site" (what `cargo leptos build --release`
# did, without having to compile cargo-leptos first: that alone took 14 minutes on a fresh
# 2-core machine, issue 21). cargo-leptos stays optional for `cargo leptos watch` while developing.
#
# The steps, in the order cargo-leptos runs them:
#   1. the `frontend` crate for wasm32 with the size-optimised `wasm-release` profile;
#   2. wasm-bindgen (the exact version pinned in Cargo.toml) into site/pkg as lockstep.js + lockstep.wasm;
#   3. wasm-opt -Oz (npm's binaryen, see ../shared/notes/build.md);
#   4. style/main.css -> site/pkg/lockstep.css, public/* -> site/;
#   5. the server with LEPTOS_OUTPUT_NAME=lockstep, so the page asks for /pkg/lockstep.wasm.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LOCKSTEP_ROOT"
SITE="$CARGO_TARGET_DIR/site"
export LEPTOS_OUTPUT_NAME=lockstep

phase "build: browser wasm (frontend, wasm32, wasm-release)"
cargo_progress build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
mkdir -p "$SITE/pkg"
raw="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/frontend.wasm"
if [ "$SITE/pkg/lockstep.wasm" -nt "$raw" ] && [ -f "$SITE/pkg/lockstep.js" ]; then
  echo "wasm unchanged since the last build: wasm-bindgen and wasm-opt skipped"
else
  echo "wasm-bindgen + wasm-opt -Oz (about a minute on 2 cores)"
  tmp="$(mktemp -d)"
  wasm-bindgen --target web --no-typescript --out-name lockstep --out-dir "$tmp" "$raw"
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-reference-types --enable-multivalue --enable-mutable-globals \
    "$tmp/lockstep_bg.wasm" -o "$tmp/lockstep.wasm"
  rm -f "$tmp/lockstep_bg.wasm"
  rm -rf "$SITE/pkg/snippets"
  cp -r "$tmp"/. "$SITE/pkg/"
  rm -rf "$tmp"
fi
cp style/main.css "$SITE/pkg/lockstep.css"
[ -z "$(ls -A public)" ] || cp -r public/. "$SITE/"
echo "site: $SITE ($(du -sh "$SITE/pkg" | cut -f1) in pkg; wasm $(stat -c %s "$SITE/pkg/lockstep.wasm") bytes)"

phase "build: server (release)"
cargo_progress build -p lockstep-server --bin lockstep --release
phase_end

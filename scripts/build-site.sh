#!/usr/bin/env bash
# Builds the release site: the server binary and the hydrated wasm with its JavaScript glue, the
# CSS and the static assets, into "$CARGO_TARGET_DIR/site" (what `cargo leptos build --release`
# did, without having to compile cargo-leptos first: that alone took 14 minutes on a fresh
# 2-core machine, issue 21). cargo-leptos stays optional for `cargo leptos watch` while developing.
#
# The steps, in the order cargo-leptos runs them:
#   1. the `frontend` crate for wasm32 with the size-optimised `wasm-release` profile;
#   2. wasm-split (lockstep-wasm-split, scripts/wasm-split/, what `cargo leptos --split` does): the
#      wasm is cut at each lazily loaded page (app/src/routes.rs), so a page downloads the shell plus
#      its own chunks, not every page of the app (issue 22, README "Page weight");
#   3. wasm-bindgen (the exact version pinned in Cargo.toml) on the main part, into site/pkg as
#      lockstep.js + lockstep.wasm, beside the chunks, their loader and __wasm_split_manifest.json;
#   4. wasm-opt -Oz on every wasm file (npm's binaryen, see ../shared/notes/build.md);
#   5. style/main.css -> site/pkg/lockstep.css, public/* -> site/; a brotli and a gzip copy of
#      each file in site/pkg (the server sends them pre-compressed);
#   6. the server with LEPTOS_OUTPUT_NAME=lockstep, so the page asks for /pkg/lockstep.wasm.
#
# The server (6) builds side by side with the browser part (1-5), as cargo-leptos does: the two
# use different profiles (release, wasm-release), so cargo's locks let them run at once, and
# each one's long single-crate stretches (aws-sdk-ec2 and the other SDK service crates, the
# server crate, the wasm's single codegen unit) keep the other core busy instead of idle
# (issue 21). Their progress lines are marked "server" and "browser". On a first run the wasm tools
# (scripts/wasm-tools.sh, lines marked "tools") compile after the browser part, still beside the
# server, instead of before both builds in setup.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LOCKSTEP_ROOT"
# LOCKSTEP_SITE_ROOT (what `lockstep serve` reads) may put the site elsewhere.
SITE="${LOCKSTEP_SITE_ROOT:-$CARGO_TARGET_DIR/site}"
export LEPTOS_OUTPUT_NAME=lockstep

# `build-site.sh browser` builds only the browser part (a quick look at the wasm's weight while
# working on the frontend: scripts/page-weight.py); the server binary is left as it was.
only_browser=false
[ "${1:-}" = browser ] && only_browser=true

phase "build: server (release) and browser wasm (frontend, wasm32, wasm-release), side by side"
server_status="$(mktemp)"
(
  s=0
  $only_browser || CARGO_PROGRESS_LABEL=server cargo_progress build -p lockstep-server --bin lockstep --release || s=$?
  echo "$s" > "$server_status"
) &
server_pid=$!
# A failed browser build still waits for the server build to end: nothing is left running.
trap 'wait "$server_pid" 2>/dev/null || true' EXIT
started=$SECONDS
CARGO_PROGRESS_LABEL=browser cargo_progress build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
# The tools that cut, bind and shrink the wasm: compiled here on a first run, beside the server.
bash scripts/wasm-tools.sh
mkdir -p "$SITE/pkg"
raw="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/frontend.wasm"
if [ "$SITE/pkg/lockstep.wasm" -nt "$raw" ] && [ -f "$SITE/pkg/lockstep.js" ] && [ -f "$SITE/pkg/__wasm_split_manifest.json" ]; then
  echo "wasm unchanged since the last build: wasm-split, wasm-bindgen and wasm-opt skipped"
else
  echo "wasm-split + wasm-bindgen + wasm-opt -Oz on each part (a few minutes on 2 cores)"
  tmp="$(mktemp -d)"
  # The chunks, their loader (__wasm_split.<placeholder>.js), the manifest and lockstep_split.wasm.
  lockstep-wasm-split "$raw" "$tmp" lockstep > /dev/null
  # --keep-lld-exports: the chunks import the main part's functions through the linker's exports.
  wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle --out-name lockstep \
    --out-dir "$tmp" "$tmp/lockstep_split.wasm"
  mv "$tmp/lockstep_bg.wasm" "$tmp/lockstep.wasm"
  rm -f "$tmp/lockstep_split.wasm"
  # (binaryen does not know the linker's name subsection 3 and says so for every file: not shown.)
  find "$tmp" -maxdepth 1 -name '*.wasm' -print0 | xargs -0 -P "$(nproc)" -I{} sh -c '
    if wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-reference-types --enable-multivalue --enable-mutable-globals "$1" -o "$1.opt" 2> "$1.log"
    then mv "$1.opt" "$1"; rm -f "$1.log"
    else grep -v "unknown name subsection" "$1.log" >&2; exit 1; fi' _ {}
  rm -rf "$SITE/pkg/snippets"
  rm -f "$SITE"/pkg/*.wasm "$SITE"/pkg/*.wasm.br "$SITE"/pkg/*.wasm.gz "$SITE"/pkg/__wasm_split*
  cp -r "$tmp"/. "$SITE/pkg/"
  rm -rf "$tmp"
fi
cp style/main.css "$SITE/pkg/lockstep.css"
# Pre-compressed copies beside each file (brotli quality 11 and gzip level 9, with node's zlib):
# the server's /pkg file service sends them to browsers that accept them, instead of compressing
# on the fly at a lower level (brotli 11 makes the wasm about 25 % smaller than gzip; README
# "Page weight"). Redone for a file only when it is newer than its copies.
node -e '
  const fs = require("fs"), path = require("path"), zlib = require("zlib");
  const dir = process.argv[1];
  for (const f of fs.readdirSync(dir)) {
    if (!/\.(wasm|js|css|json)$/.test(f)) continue;
    const file = path.join(dir, f), mtime = fs.statSync(file).mtimeMs;
    const fresh = (ext) => fs.existsSync(file + ext) && fs.statSync(file + ext).mtimeMs >= mtime;
    if (fresh(".br") && fresh(".gz")) continue;
    const data = fs.readFileSync(file);
    fs.writeFileSync(file + ".br", zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
    fs.writeFileSync(file + ".gz", zlib.gzipSync(data, { level: 9 }));
  }' "$SITE/pkg"
[ -z "$(ls -A public)" ] || cp -r public/. "$SITE/"
echo "site: $SITE ($(du -sh "$SITE/pkg" | cut -f1) in pkg; main wasm $(stat -c %s "$SITE/pkg/lockstep.wasm") bytes, $(ls "$SITE"/pkg/*.wasm | wc -l) wasm files)"

echo "browser part done after $((SECONDS - started))s$(kill -0 "$server_pid" 2>/dev/null && echo "; waiting for the server build")"
wait "$server_pid" || true
trap - EXIT
if [ "$(cat "$server_status" 2>/dev/null)" != "0" ]; then
  echo "the server build failed (its messages are above, marked \"server\")" >&2
  rm -f "$server_status"
  exit 1
fi
rm -f "$server_status"
$only_browser || echo "server built after $((SECONDS - started))s"
phase_end

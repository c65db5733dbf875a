#!/usr/bin/env bash
# Installs everything lockstep needs to build, run and test, on a fresh Debian machine.
# Idempotent: each step is skipped when the right version is already there.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

APT_PACKAGES=(chromium nginx pebble certbot python3-certbot-nginx dnsmasq bind9-dnsutils iproute2 testssl.sh
  postgresql openssl curl ca-certificates wrk patch)

phase "setup: Debian packages"
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "all present"
fi

phase "setup: rust targets and toolchains"
rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
# cargo-leptos is not needed: scripts/build-site.sh does its release build (issue 21). Install it
# yourself only for `cargo leptos watch` (README, "How it is built").

phase "setup: wasm-bindgen-cli $WASM_BINDGEN_VERSION"
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  # Not --locked: its lock names a webpki-roots version the reachable index lacks.
  echo "compiling wasm-bindgen-cli once (about 2 minutes on 2 cores; later runs skip this)"
  CARGO_PROGRESS_TOTAL=0 CARGO_TARGET_DIR="$LOCKSTEP_CACHE/build-tools" cargo_progress install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
wasm-bindgen --version

phase "setup: wasm-opt (npm binaryen $BINARYEN_VERSION)"
# Debian's binaryen (108) produces a wasm that breaks hydration: use npm's.
if ! "$LOCKSTEP_TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "${BINARYEN_VERSION%%.*}"; then
  mkdir -p "$LOCKSTEP_TOOLS"
  (cd "$LOCKSTEP_TOOLS" && npm install --silent --no-audit --no-fund "binaryen@$BINARYEN_VERSION")
fi
ln -sf "$LOCKSTEP_TOOLS/node_modules/.bin/wasm-opt" "$HOME/.cargo/bin/wasm-opt"
wasm-opt --version

phase "setup: lockstep-wasm-split (scripts/wasm-split)"
# Cuts the browser's wasm into one chunk per page (scripts/build-site.sh). Built from
# wasm_split_cli_support 0.2.4 (what `cargo leptos --split` uses) with one change,
# scripts/wasm-split/main-if-shared.patch: code that three or more pages share goes into the main
# part instead of many small chunks (README "Page weight"). Rebuilt when its sources change: by
# their content, not their dates (a fresh clone's files are all new, yet the same).
split_bin="$HOME/.cargo/bin/lockstep-wasm-split"
split_sum="$(cd "$LOCKSTEP_ROOT/scripts/wasm-split" && find . -type f -not -path './target/*' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)"
split_stamp="$LOCKSTEP_CACHE/build-tools/lockstep-wasm-split.sha256"
if [ ! -x "$split_bin" ] || [ "$(cat "$split_stamp" 2>/dev/null)" != "$split_sum" ]; then
  echo "compiling lockstep-wasm-split once (about 2 minutes on 2 cores; later runs skip this)"
  cargo fetch --quiet --manifest-path "$LOCKSTEP_ROOT/scripts/wasm-split/Cargo.toml"
  split_src="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/wasm_split_cli_support-0.2.4 | head -1)"
  split_patched="$LOCKSTEP_CACHE/build-tools/wasm_split_cli_support-0.2.4-lockstep"
  rm -rf "$split_patched"
  mkdir -p "$(dirname "$split_patched")"
  cp -r "$split_src" "$split_patched"
  (cd "$split_patched" && patch -p1 -s < "$LOCKSTEP_ROOT/scripts/wasm-split/main-if-shared.patch")
  CARGO_PROGRESS_TOTAL=0 CARGO_TARGET_DIR="$LOCKSTEP_CACHE/build-tools" cargo_progress install --force \
    --path "$LOCKSTEP_ROOT/scripts/wasm-split" --config "patch.crates-io.wasm_split_cli_support.path=\"$split_patched\""
  echo "$split_sum" > "$split_stamp"
fi
echo "lockstep-wasm-split ok"

phase "setup: moto $MOTO_VERSION (venv)"
if ! "$LOCKSTEP_VENV/bin/python" -c "import moto,sys; sys.exit(moto.__version__!='$MOTO_VERSION')" 2>/dev/null; then
  python3 -m venv "$LOCKSTEP_VENV"
  "$LOCKSTEP_VENV/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi
"$LOCKSTEP_VENV/bin/moto_server" --help >/dev/null && echo "moto_server ok"

phase "setup: certbot $CERTBOT_VERSION (venv, for the IP-certificate lab test)"
if ! "$LOCKSTEP_CERTBOT_VENV/bin/certbot" --version 2>/dev/null | grep -qx "certbot $CERTBOT_VERSION"; then
  python3 -m venv "$LOCKSTEP_CERTBOT_VENV"
  "$LOCKSTEP_CERTBOT_VENV/bin/pip" install -q --disable-pip-version-check "certbot==$CERTBOT_VERSION"
fi
"$LOCKSTEP_CERTBOT_VENV/bin/certbot" --version

phase "setup: end2end node modules (playwright-core)"
if [ -f "$LOCKSTEP_ROOT/end2end/package-lock.json" ]; then
  (cd "$LOCKSTEP_ROOT/end2end" && { [ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ] || npm ci --silent --no-audit --no-fund; })
fi
phase_end

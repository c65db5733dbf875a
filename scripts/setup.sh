#!/usr/bin/env bash
# Installs everything lockstep needs to build, run and test, on a fresh Debian machine.
# Idempotent: each step is skipped when the right version is already there.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# `setup.sh` installs everything; `setup.sh run` only what ./scripts/run.sh needs; `setup.sh
# test-extras` only what the tests need beyond that.
part="${1:-all}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

APT_PACKAGES=(chromium nginx pebble certbot python3-certbot-nginx dnsmasq bind9-dnsutils iproute2 testssl.sh
  postgresql openssl curl ca-certificates wrk patch)

base() {
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

  # wasm-bindgen-cli, wasm-opt and lockstep-wasm-split: scripts/wasm-tools.sh, which
  # scripts/build-site.sh runs while the server's release build compiles (issue 21).

  phase "setup: moto $MOTO_VERSION (venv)"
  if ! "$LOCKSTEP_VENV/bin/python" -c "import moto,sys; sys.exit(moto.__version__!='$MOTO_VERSION')" 2>/dev/null; then
    python3 -m venv "$LOCKSTEP_VENV"
    "$LOCKSTEP_VENV/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  fi
  "$LOCKSTEP_VENV/bin/moto_server" --help >/dev/null && echo "moto_server ok"
}

# Only for ./scripts/test.sh, which runs `setup.sh test-extras` after its release build, so that
# its first phases are exactly the newcomer's path to the URL (`setup.sh run`, then the build).
test_extras() {
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
}

case "$part" in
  run) base ;;
  test-extras) test_extras ;;
  all) base; test_extras ;;
  *) echo "usage: setup.sh [run|test-extras]" >&2; exit 2 ;;
esac
phase_end

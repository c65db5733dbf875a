#!/usr/bin/env bash
# Runs every check and test lockstep has: formatting, clippy, the release build of the web app
# (server + wasm), the Rust test suites (unit, integration against moto, crash tests), and the
# end-to-end tests in Chromium. Installs what is missing first (scripts/setup.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LOCKSTEP_ROOT"
total_start=$(date +%s)
if [ ! -x "$CARGO_TARGET_DIR/release/lockstep" ]; then
  echo "lockstep tests: first run on this machine. Tools, three builds (clippy, release, tests) and the"
  echo "tests take about $FIRST_TEST_MINUTES minutes on 2 cores; each phase prints its progress and time."
fi

bash scripts/setup.sh run

phase "fmt"
cargo fmt --all --check

# The release site first, as ./scripts/run.sh builds it: on a fresh machine the first phases of
# this command (setup, then the side-by-side build) are exactly the newcomer's path to the URL,
# so one cold CI run measures both (README "Build and CI time").
phase_end
bash scripts/build-site.sh
bash scripts/setup.sh test-extras

phase "page weight: the wasm each page downloads, gzipped (<= 500 KB; README \"Page weight\")"
python3 scripts/page-weight.py "${LOCKSTEP_SITE_ROOT:-$CARGO_TARGET_DIR/site}/pkg" --check

phase "clippy (server, doctor and domain)"
cargo_progress clippy -p lockstep-domain -p lockstep-doctor -p lockstep-server --all-targets -- -D warnings
phase "clippy (browser, wasm32)"
cargo_progress clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

phase "HTTPS lab up (dnsmasq, pebble, nginx, certbot; lab/README.md)"
# One lab for the whole run: the doctor, CLI and end-to-end tests reuse it (LOCKSTEP_LAB_DIR).
LOCKSTEP_LAB_DIR="$(mktemp -d "${TMPDIR:-/tmp}/lockstep-lab.XXXXXX")"
export LOCKSTEP_LAB_DIR
stop_lab() { bash lab/lab.sh down "$LOCKSTEP_LAB_DIR" >/dev/null 2>&1 || true; rm -rf "$LOCKSTEP_LAB_DIR"; }
trap stop_lab EXIT
bash lab/lab.sh up "$LOCKSTEP_LAB_DIR"

phase "cargo test (unit, moto integration, crash tests, store contract and multi-server on SQLite and PostgreSQL, doctor against the lab)"
# Tests that need PostgreSQL start a throwaway cluster of their own (server/tests/common/pg.rs).
# server/tests/ip_cert_lab.rs uses this lab and setup.sh's certbot venv ($LOCKSTEP_CACHE/certbot-venv).
export LOCKSTEP_MOTO_SERVER="$LOCKSTEP_VENV/bin/moto_server"
cargo_progress test -p lockstep-domain -p lockstep-doctor -p lockstep-server

phase "cargo test: the in-process wizard suites again, on PostgreSQL"
# The same package selection as the pass above: with `-p lockstep-server` alone, cargo unifies
# the dependencies' features differently and rebuilt part of them and every test binary (101 s).
LOCKSTEP_TEST_STORE=postgres cargo_progress test -p lockstep-domain -p lockstep-doctor -p lockstep-server \
  --test wizard_moto --test certificate_moto --test domain_moto --test domains_scripted --test doctor_moto \
  --test accounts_security --test wizard_path

phase "end2end (Playwright + Chromium against the release build)"
# A throwaway PostgreSQL for the multi-server browser test (stopped on exit with the lab).
LOCKSTEP_E2E_PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/lockstep-pg.XXXXXX")"
chmod 755 "$LOCKSTEP_E2E_PG_DIR"
stop_pg() { bash scripts/pg-throwaway.sh down "$LOCKSTEP_E2E_PG_DIR" >/dev/null 2>&1 || true; rm -rf "$LOCKSTEP_E2E_PG_DIR"; }
trap 'stop_pg; stop_lab' EXIT
LOCKSTEP_E2E_PG_URL="$(bash scripts/pg-throwaway.sh up "$LOCKSTEP_E2E_PG_DIR")"
export LOCKSTEP_E2E_PG_URL
export LOCKSTEP_BIN="$CARGO_TARGET_DIR/release/lockstep"
export LOCKSTEP_SITE_ROOT="$CARGO_TARGET_DIR/site"
(cd end2end && node --test --test-concurrency=1 tests/)

phase_end
echo "all tests passed in $(( $(date +%s) - total_start ))s"

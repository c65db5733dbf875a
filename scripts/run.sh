#!/usr/bin/env bash
# Starts lockstep for a newcomer: sandbox AWS (a local emulator, nothing real is created) and an
# SQLite file under ~/.local/share/lockstep. Installs and builds what is missing first.
# Extra arguments go to `lockstep serve` (see `--help`), e.g. ./scripts/run.sh --bind 0.0.0.0:3000
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LOCKSTEP_ROOT"
if [ ! -x "$CARGO_TARGET_DIR/release/lockstep" ]; then
  echo "lockstep: first run on this machine. Installing tools and building takes about $FIRST_RUN_MINUTES minutes on"
  echo "2 cores (each phase prints its progress and time below). Later runs start in a few seconds."
fi
bash scripts/setup.sh run
bash scripts/build-site.sh
export LOCKSTEP_MOTO_SERVER="${LOCKSTEP_MOTO_SERVER:-$LOCKSTEP_VENV/bin/moto_server}"
export LOCKSTEP_SITE_ROOT="${LOCKSTEP_SITE_ROOT:-$CARGO_TARGET_DIR/site}"
# The sandbox's free path runs against a local stand-in (lab/lab.sh) that serve starts and stops.
export LOCKSTEP_LAB_SCRIPT="${LOCKSTEP_LAB_SCRIPT:-$LOCKSTEP_ROOT/lab/lab.sh}"
exec "$CARGO_TARGET_DIR/release/lockstep" serve "$@"

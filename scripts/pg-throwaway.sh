#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the end-to-end tests (the Rust tests start their own, see
# server/tests/common/pg.rs). Never touches a system cluster.
#   scripts/pg-throwaway.sh up DIR     initdb in DIR, start on a free loopback port, print the URL
#   scripts/pg-throwaway.sh down DIR   stop the server by the PID in DIR/data/postmaster.pid
# As root, initdb and postgres run as Debian's `postgres` user (PostgreSQL refuses root).
set -euo pipefail
cmd="${1:?up|down}"; dir="${2:?DIR}"
bin="${LOCKSTEP_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
[ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed: run ./scripts/setup.sh" >&2; exit 1; }
runas=(); [ "$(id -u)" = 0 ] && runas=(runuser -u postgres --)

case "$cmd" in
  up)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    # DIR (and its parents) must be reachable by the postgres user: make DIR with mktemp -d, chmod 755.
    "${runas[@]}" "$bin/initdb" -A trust -U postgres -E UTF8 --locale=C --no-sync -D "$dir/data" >"$dir/initdb.log" 2>&1 \
      || { echo "initdb failed (is $dir reachable by the postgres user?):" >&2; cat "$dir/initdb.log" >&2; exit 1; }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200" \
      start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  down)
    if [ -f "$dir/data/postmaster.pid" ]; then
      "${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 || {
        pid=$(head -n 1 "$dir/data/postmaster.pid"); kill -9 "$pid" 2>/dev/null || true; }
    fi
    ;;
  *) echo "usage: $0 up|down DIR" >&2; exit 2 ;;
esac

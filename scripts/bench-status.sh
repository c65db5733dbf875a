#!/usr/bin/env bash
# Benchmark: the public status page (`GET /status/<slug>`) served by lockstep, against nginx
# serving the very same HTML as a static file, side by side in one run with wrk on loopback.
# Prints requests/s and p99 latency of both and the ratio (target: lockstep >= 0.3x nginx,
# p99 < 20 ms). Usage: scripts/bench-status.sh [seconds] [connections]   (default 10 s, 32)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LOCKSTEP_ROOT"
SECS="${1:-10}"
CONNS="${2:-32}"
command -v wrk >/dev/null || { echo "wrk (Debian package wrk) is missing: run scripts/setup.sh" >&2; exit 1; }
BIN="$CARGO_TARGET_DIR/release/lockstep"
[ -x "$BIN" ] || bash "$(dirname "$0")/build-site.sh"
export LOCKSTEP_MOTO_SERVER="${LOCKSTEP_MOTO_SERVER:-$LOCKSTEP_VENV/bin/moto_server}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lockstep-bench-status.XXXXXX")"
cleanup() {
  [ -n "${LS_PID:-}" ] && kill "$LS_PID" 2>/dev/null && wait "$LS_PID" 2>/dev/null
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# lockstep in the sandbox, with a published status page holding a few days of checks.
LOCKSTEP_DATA_DIR="$WORK/data" LOCKSTEP_SITE_ROOT="$CARGO_TARGET_DIR/site" LOCKSTEP_SANDBOX_ACM_WAIT=1 \
  LOCKSTEP_POLL_SECS=0.2 RUST_LOG=warn "$BIN" serve --bind 127.0.0.1:0 > "$WORK/out.log" 2> "$WORK/err.log" &
LS_PID=$!
for _ in $(seq 300); do grep -q "running on" "$WORK/out.log" 2>/dev/null && break; sleep 0.2; done
BASE="$(grep -o 'http://[0-9.:]*' "$WORK/out.log" | head -1)"
[ -n "$BASE" ] || { echo "lockstep did not start:" >&2; cat "$WORK/err.log" >&2; exit 1; }
J="$WORK/jar"
post() { curl -sf -X POST -b "$J" -c "$J" -H "Origin: $BASE" "$BASE/api/$1" "${@:2}"; }
post setup_owner -d name=Bench -d email=bench@example.ac.kr -d "password=correct horse battery staple" -d team=Bench >/dev/null
TEAM="$(post session_info | python3 -c 'import json,sys; print(json.load(sys.stdin)["me"]["teams"][0]["id"])')"
PID="$(post create_project -d "team_id=$TEAM" -d name=bench-shop -d region=ap-northeast-2 -d instance=54.180.1.2 \
  -d app_port=8000 -d health_path=/health -d bucket=bench-shop-web -d framework=django \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["Created"])')"
ZONE="$(post list_zones -d "project_id=$PID" | python3 -c 'import json,sys; print([z["id"] for z in json.load(sys.stdin) if z["name"]=="lockstep-demo.com"][0])')"
post choose_zone -d "project_id=$PID" -d "zone_id=$ZONE" >/dev/null
post save_status_settings -d "project_id=$PID" -d public=on -d slug=bench-shop -d interval_minutes=60 >/dev/null
for _ in 1 2 3; do
  post check_status_now -d "project_id=$PID" >/dev/null
  for _ in $(seq 300); do
    s="$(post status_settings -d "project_id=$PID" | python3 -c 'import json,sys; r=json.load(sys.stdin)["last_run"]; print(r["status"] if r else "")')"
    [ "$s" != "active" ] && [ -n "$s" ] && break
    sleep 0.2
  done
done
URL="$BASE/status/bench-shop"
curl -sf "$URL" > "$WORK/index.html"
grep -q "api.lockstep-demo.com" "$WORK/index.html" || { echo "the status page has no checks" >&2; exit 1; }

# nginx on a free loopback port, serving the same bytes.
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$WORK/www/status/bench-shop"
cp "$WORK/index.html" "$WORK/www/status/bench-shop/index.html"
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp;
  uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  server { listen 127.0.0.1:$PORT; root $WORK/www; location / { try_files \$uri \$uri/index.html =404; } }
}
CONF
mkdir -p "$WORK/tmp"
nginx -c "$WORK/nginx.conf" -p "$WORK" 2>/dev/null
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/status/bench-shop" >/dev/null && break; sleep 0.1; done

run() { wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$1" > "$WORK/wrk-$2.txt"; }
rps() { awk '/Requests\/sec/ {print $2}' "$WORK/wrk-$1.txt"; }
p99() { awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' "$WORK/wrk-$1.txt"; }
run "http://127.0.0.1:$PORT/status/bench-shop" nginx
run "$URL" lockstep
echo "status page: $(wc -c < "$WORK/index.html") bytes, wrk -t2 -c$CONNS -d${SECS}s on loopback, 2 cores shared by server and wrk"
printf 'nginx (static file): %10s req/s  p99 %8s ms\n' "$(rps nginx)" "$(p99 nginx)"
printf 'lockstep:            %10s req/s  p99 %8s ms\n' "$(rps lockstep)" "$(p99 lockstep)"
awk -v l="$(rps lockstep)" -v n="$(rps nginx)" -v p="$(p99 lockstep)" 'BEGIN {
  printf "ratio: lockstep serves %.2fx of nginx (target >= 0.3x); lockstep p99 %.2f ms (target < 20 ms): %s\n",
    l/n, p, (l/n >= 0.3 && p < 20) ? "met" : "NOT met" }'

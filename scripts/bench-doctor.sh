#!/usr/bin/env bash
# Benchmark: `lockstep doctor` (every check: DNS, CAA, NS, ports, TLS, redirect, health, HSTS,
# cookies) versus `testssl.sh -S` (certificate and server defaults only) against the same lab host,
# in one run. Prints both medians and the ratio. Uses the running lab of LOCKSTEP_LAB_DIR, or
# starts its own. Usage: scripts/bench-doctor.sh [runs]   (default 5 doctor runs, 3 testssl runs)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LOCKSTEP_ROOT"
RUNS="${1:-5}"
TESTSSL_RUNS=3

command -v testssl >/dev/null || { echo "testssl (Debian package testssl.sh) is missing: run scripts/setup.sh" >&2; exit 1; }
BIN="$CARGO_TARGET_DIR/release/lockstep"
[ -x "$BIN" ] || bash "$(dirname "$0")/build-site.sh"

if [ -z "${LOCKSTEP_LAB_DIR:-}" ]; then
  LOCKSTEP_LAB_DIR="$(mktemp -d "${TMPDIR:-/tmp}/lockstep-lab.XXXXXX")"
  trap 'bash lab/lab.sh down "$LOCKSTEP_LAB_DIR" >/dev/null 2>&1 || true; rm -rf "$LOCKSTEP_LAB_DIR"' EXIT
  bash lab/lab.sh up "$LOCKSTEP_LAB_DIR" >/dev/null
fi
# shellcheck disable=SC1091
. "$LOCKSTEP_LAB_DIR/lab.env"
HOST="valid.$LAB_ZONE"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

doctor_times=()
for _ in $(seq "$RUNS"); do
  t0=$(ms)
  "$BIN" doctor "https://$HOST:$LAB_HTTPS_PORT/api/items" --health /health --dns "$LAB_DNS" \
    --ca-file "$LAB_CA_BUNDLE" --http-port "$LAB_HTTP_PORT" --allow-private-targets --json > /tmp/lockstep-bench-doctor.json
  doctor_times+=($(( $(ms) - t0 )))
done
checks=$(grep -c '"check"' /tmp/lockstep-bench-doctor.json)
fails=$(grep -c '"verdict": "fail"' /tmp/lockstep-bench-doctor.json || true)

testssl_times=()
for _ in $(seq "$TESTSSL_RUNS"); do
  t0=$(ms)
  testssl --quiet --color 0 --warnings off -S --ip "$(dig +short -p "${LAB_DNS##*:}" "@${LAB_DNS%%:*}" "$HOST" A)" \
    --add-ca "$LAB_CA_BUNDLE" "$HOST:$LAB_HTTPS_PORT" > /tmp/lockstep-bench-testssl.txt 2>&1 || true
  testssl_times+=($(( $(ms) - t0 )))
done
grep -q "Chain of trust.*Ok" /tmp/lockstep-bench-testssl.txt || { echo "testssl did not verify the chain:" >&2; cat /tmp/lockstep-bench-testssl.txt >&2; exit 1; }

d=$(printf '%s\n' "${doctor_times[@]}" | median)
t=$(printf '%s\n' "${testssl_times[@]}" | median)
echo "host: $HOST:$LAB_HTTPS_PORT (lab on loopback)"
echo "lockstep doctor, all checks ($checks findings, $fails failures), process start to exit: median ${d} ms over $RUNS runs (${doctor_times[*]})"
echo "testssl.sh -S (certificate and server defaults only):           median ${t} ms over $TESTSSL_RUNS runs (${testssl_times[*]})"
awk -v d="$d" -v t="$t" 'BEGIN { printf "ratio: lockstep doctor is %.0fx faster (target >= 20x; all checks under 1 s: %s)\n", t/(d>0?d:1), (d<1000?"yes":"no") }'

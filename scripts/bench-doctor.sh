#!/usr/bin/env bash
# Benchmark: `lockstep doctor` (every check: DNS, CAA, NS, ports, TLS chain and names, lifetime,
# versions offered incl. TLS 1.0/1.1, ALPN, OCSP stapling, chain algorithms, redirect, health,
# security headers, CORS from an unallowed origin, cookies, and the grade) versus two reference
# tools on the same lab host, in one run:
#   - testssl.sh -S (Debian's testssl.sh: certificate and server defaults only);
#   - sslyze (PyPI, pinned, in its own venv under the cache): certificate with the lab's CA,
#     TLS 1.0 / 1.1 / 1.2 / 1.3 (each version's cipher suites), HTTP headers.
# Prints each median and the ratios. Uses the running lab of LOCKSTEP_LAB_DIR, or starts its own.
# Usage: scripts/bench-doctor.sh [runs]   (default 5 doctor runs, 3 testssl and sslyze runs)
# LOCKSTEP_BIN=path uses that lockstep binary instead of the release build.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LOCKSTEP_ROOT"
RUNS="${1:-5}"
REF_RUNS=3
SSLYZE_VERSION=6.3.1
SSLYZE_VENV="$LOCKSTEP_CACHE/sslyze-venv"

command -v testssl >/dev/null || { echo "testssl (Debian package testssl.sh) is missing: run scripts/setup.sh" >&2; exit 1; }
if ! "$SSLYZE_VENV/bin/python" -c "import importlib.metadata as m,sys; sys.exit(m.version('sslyze')!='$SSLYZE_VERSION')" 2>/dev/null; then
  echo "installing sslyze $SSLYZE_VERSION into $SSLYZE_VENV (PyPI)" >&2
  python3 -m venv "$SSLYZE_VENV"
  "$SSLYZE_VENV/bin/pip" install -q --disable-pip-version-check "sslyze==$SSLYZE_VERSION"
fi
BIN="${LOCKSTEP_BIN:-$CARGO_TARGET_DIR/release/lockstep}"
[ -x "$BIN" ] || bash "$(dirname "$0")/build-site.sh"

if [ -z "${LOCKSTEP_LAB_DIR:-}" ]; then
  LOCKSTEP_LAB_DIR="$(mktemp -d "${TMPDIR:-/tmp}/lockstep-lab.XXXXXX")"
  trap 'bash lab/lab.sh down "$LOCKSTEP_LAB_DIR" >/dev/null 2>&1 || true; rm -rf "$LOCKSTEP_LAB_DIR"' EXIT
  bash lab/lab.sh up "$LOCKSTEP_LAB_DIR" >/dev/null
fi
# shellcheck disable=SC1091
. "$LOCKSTEP_LAB_DIR/lab.env"
HOST="valid.$LAB_ZONE"
IP="$(dig +short -p "${LAB_DNS##*:}" "@${LAB_DNS%%:*}" "$HOST" A)"

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
grep -q '"check": "tls.protocols"' /tmp/lockstep-bench-doctor.json || { echo "the doctor did not check the TLS versions:" >&2; cat /tmp/lockstep-bench-doctor.json >&2; exit 1; }
grade=$(grep -o '"letter": "[A-F+]*"' /tmp/lockstep-bench-doctor.json | head -1 | cut -d'"' -f4)

testssl_times=()
for _ in $(seq "$REF_RUNS"); do
  t0=$(ms)
  testssl --quiet --color 0 --warnings off -S --ip "$IP" \
    --add-ca "$LAB_CA_BUNDLE" "$HOST:$LAB_HTTPS_PORT" > /tmp/lockstep-bench-testssl.txt 2>&1 || true
  testssl_times+=($(( $(ms) - t0 )))
done
grep -q "Chain of trust.*Ok" /tmp/lockstep-bench-testssl.txt || { echo "testssl did not verify the chain:" >&2; cat /tmp/lockstep-bench-testssl.txt >&2; exit 1; }

sslyze_times=()
for _ in $(seq "$REF_RUNS"); do
  t0=$(ms)
  "$SSLYZE_VENV/bin/sslyze" --quiet --mozilla_config disable --certinfo --certinfo_ca_file "$LAB_CA_BUNDLE" \
    --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3 --http_headers \
    --json_out /tmp/lockstep-bench-sslyze.json "$HOST:$LAB_HTTPS_PORT{$IP}" > /dev/null 2>&1 || true
  sslyze_times+=($(( $(ms) - t0 )))
done
"$SSLYZE_VENV/bin/python" - <<'EOF' || { echo "sslyze did not verify the chain with the lab's CA:" >&2; cat /tmp/lockstep-bench-sslyze.json >&2; exit 1; }
import json, sys
r = json.load(open("/tmp/lockstep-bench-sslyze.json"))["server_scan_results"][0]["scan_result"]
paths = r["certificate_info"]["result"]["certificate_deployments"][0]["path_validation_results"]
sys.exit(0 if any(p["trust_store"]["name"] == "Supplied CA file" and p["was_validation_successful"] for p in paths) else 1)
EOF

d=$(printf '%s\n' "${doctor_times[@]}" | median)
t=$(printf '%s\n' "${testssl_times[@]}" | median)
s=$(printf '%s\n' "${sslyze_times[@]}" | median)
echo "host: $HOST:$LAB_HTTPS_PORT (lab on loopback)"
echo "lockstep doctor, all checks ($checks findings, $fails failures, grade $grade), process start to exit: median ${d} ms over $RUNS runs (${doctor_times[*]})"
echo "testssl.sh -S (certificate and server defaults only):           median ${t} ms over $REF_RUNS runs (${testssl_times[*]})"
echo "sslyze $SSLYZE_VERSION (certificate, TLS 1.0-1.3 suites, HTTP headers):  median ${s} ms over $REF_RUNS runs (${sslyze_times[*]})"
awk -v d="$d" -v t="$t" -v s="$s" 'BEGIN {
  d = (d > 0 ? d : 1)
  printf "ratio: lockstep doctor is %.0fx faster than testssl.sh (target >= 20x) and %.1fx faster than sslyze; all checks under 1 s: %s\n", t/d, s/d, (d < 1000 ? "yes" : "no")
}'

#!/usr/bin/env bash
# Check that every fixture of a running lab behaves as its `expect` says.
#   lab/check.sh DIR      (DIR as given to `lab/lab.sh up DIR`)
# One PASS/FAIL line per fixture; exit 1 if any FAIL.
# Trust store: only DIR/ca-bundle.pem (the environment's CURL_CA_BUNDLE etc. are removed, and
# curl's CA path is pointed at an empty directory). DNS: dig @127.0.0.1 -p 5353.
set -uo pipefail

[ $# -eq 1 ] && [ -f "$1/lab.env" ] || { echo "usage: $0 DIR (a dir with lab.env from lab.sh up)" >&2; exit 2; }
# shellcheck disable=SC1091
. "$1/lab.env"
if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi

BUNDLE=$LAB_CA_BUNDLE
HP=$LAB_HTTP_PORT SP=$LAB_HTTPS_PORT
DNS_HOST=${LAB_DNS%:*} DNS_PORT=${LAB_DNS##*:}
ORIGIN=${LAB_CORS_ORIGIN:-https://www.student.test}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/capath"   # empty: no system CA directory

# curl with only the lab bundle
c() {
  env -u CURL_CA_BUNDLE -u SSL_CERT_FILE -u SSL_CERT_DIR -u REQUESTS_CA_BUNDLE \
    curl -q -sS --max-time 5 --noproxy '*' --cacert "$BUNDLE" --capath "$T/capath" "$@"
}
# req HOST IP URL [curl args...]: sets CODE, RC, ERR; headers in $T/h, body in $T/b
req() {
  local host=$1 ip=$2 url=$3; shift 3
  : > "$T/h"; : > "$T/b"
  CODE=$(c -D "$T/h" -o "$T/b" -w '%{http_code}' --resolve "$host:$HP:$ip" --resolve "$host:$SP:$ip" \
    "$@" "$url" 2>"$T/e")
  RC=$?
  ERR=$(tr -d '\r' < "$T/e" | head -n 1)
}
header() { tr -d '\r' < "$T/h" | awk -v k="$(echo "$1" | tr 'A-Z' 'a-z')" -F': ' 'tolower($1)==k {sub(/^[^:]*: /,""); print; exit}'; }
dig_a() { dig +time=2 +tries=1 -p "$DNS_PORT" "@$DNS_HOST" "$1" A +short; }
dig_status() { dig +time=2 +tries=1 -p "$DNS_PORT" "@$DNS_HOST" "$1" "${2:-A}" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }

# s_client verification with the lab bundle only; sets VERIFY (verify return text) and ISSUER
tls_info() { # host ip
  local out
  out=$(openssl s_client -connect "$2:$SP" -servername "$1" -CAfile "$BUNDLE" -no-CApath -no-CAstore \
    -verify_hostname "$1" -showcerts </dev/null 2>/dev/null)
  VERIFY=$(echo "$out" | sed -n 's/^ *Verify return code: //p' | tail -n 1)
  NCERTS=$(echo "$out" | grep -c 'BEGIN CERTIFICATE')
  ISSUER=$(echo "$out" | openssl x509 -noout -issuer 2>/dev/null | sed 's/^issuer=//')
}

FAILS=0 TOTAL=0
report() { # PASS|FAIL name expect message
  TOTAL=$((TOTAL + 1))
  [ "$1" = PASS ] || FAILS=$((FAILS + 1))
  printf '%s  %-13s %-17s %s\n' "$1" "$2" "$3" "$4"
}

# each check_<expect> sets MSG and returns 0 (as expected) or 1
check_ok() {
  tls_info "$host" "$ip"
  [ "$VERIFY" = "0 (ok)" ] || { MSG="openssl verify: $VERIFY"; return 1; }
  [[ $ISSUER == *Pebble* ]] || { MSG="issuer is '$ISSUER', not pebble"; return 1; }
  [ "$NCERTS" -ge 2 ] || { MSG="served $NCERTS cert(s): no chain"; return 1; }
  req "$host" "$ip" "https://$host:$SP/health"
  [ "$RC" = 0 ] && [ "$CODE" = 200 ] && grep -qx ok "$T/b" || { MSG="https /health: rc=$RC code=$CODE $ERR"; return 1; }
  req "$host" "$ip" "http://$host:$HP/health"
  local loc; loc=$(header Location)
  [ "$CODE" = 301 ] && [ "$loc" = "https://$host:$SP/health" ] || { MSG="http: $CODE Location=$loc"; return 1; }
  req "$host" "$ip" "https://$host:$SP/api/items" -X OPTIONS -H "Origin: $ORIGIN" \
    -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type'
  local acao; acao=$(header Access-Control-Allow-Origin)
  [ "$CODE" = 204 ] && [ "$acao" = "$ORIGIN" ] && [ "$(header Access-Control-Allow-Credentials)" = true ] \
    && [ -n "$(header Access-Control-Allow-Methods)" ] && [ -n "$(header Access-Control-Allow-Headers)" ] \
    || { MSG="preflight: $CODE ACAO=$acao"; return 1; }
  req "$host" "$ip" "https://$host:$SP/login"
  local ck; ck=$(header Set-Cookie)
  [[ $ck == *Secure* && $ck == *HttpOnly* ]] || { MSG="login cookie: $ck"; return 1; }
  req "$host" "$ip" "https://$host:$SP/headers"
  grep -q '"X-Forwarded-Proto": "https"' "$T/b" && grep -q '"X-Forwarded-For"' "$T/b" \
    && grep -q "\"Host\": \"$host" "$T/b" || { MSG="proxy headers missing: $(tr -d '\n' < "$T/b")"; return 1; }
  MSG="verifies (issuer '$ISSUER', $NCERTS certs served); /health 200 ok; http 301 -> https; preflight ACAO=$acao; /login cookie Secure+HttpOnly; X-Forwarded-Proto=https"
}
tls_fail() { # expected-substring label
  req "$host" "$ip" "https://$host:$SP/"
  [ "$RC" = 60 ] && [[ $ERR == *$1* ]] || { MSG="expected curl 60 '$1', got rc=$RC code=$CODE $ERR"; return 1; }
  MSG="curl 60: ${ERR#curl: (60) }"
}
check_name_mismatch() {
  tls_fail "no alternative certificate subject name matches" || return 1
  local m=$MSG
  req other.student.test "$ip" "https://other.student.test:$SP/health"
  [ "$RC" = 0 ] && [ "$CODE" = 200 ] || { MSG="$m; but the chain does not verify as other.student.test either: rc=$RC $ERR"; return 1; }
  MSG="$m; same server verifies as other.student.test"
}
check_expired() {
  tls_fail "certificate has expired" || return 1
  local na; na=$(openssl s_client -connect "$ip:$SP" -servername "$host" </dev/null 2>/dev/null | openssl x509 -noout -enddate 2>/dev/null)
  MSG="$MSG (${na})"
}
check_self_signed() { tls_fail "self-signed certificate" || tls_fail "self signed certificate"; }
check_incomplete_chain() {
  tls_fail "unable to get local issuer certificate" || return 1
  local m=$MSG
  cat "$BUNDLE" "$LAB_TEST_CA_INTERMEDIATE" > "$T/bundle+inter.pem"
  req "$host" "$ip" "https://$host:$SP/health" --cacert "$T/bundle+inter.pem"
  [ "$RC" = 0 ] && [ "$CODE" = 200 ] || { MSG="$m; still fails with the intermediate added: rc=$RC $ERR"; return 1; }
  MSG="$m; verifies once the client has the intermediate"
}
check_no_redirect() {
  req "$host" "$ip" "http://$host:$HP/"
  [ "$RC" = 0 ] && [ "$CODE" = 200 ] && [ -z "$(header Location)" ] || { MSG="http: rc=$RC code=$CODE"; return 1; }
  local hc=$CODE
  req "$host" "$ip" "https://$host:$SP/health"
  [ "$RC" = 0 ] && [ "$CODE" = 200 ] || { MSG="https: rc=$RC code=$CODE $ERR"; return 1; }
  MSG="http:// answers $hc with content (no redirect); https /health 200"
}
check_redirect_loop() {
  req "$host" "$ip" "https://$host:$SP/" -L --max-redirs 10
  [ "$RC" = 47 ] || { MSG="expected curl 47 (too many redirects), got rc=$RC code=$CODE $ERR"; return 1; }
  local a b
  req "$host" "$ip" "https://$host:$SP/"; a="$CODE $(header Location)"
  req "$host" "$ip" "http://$host:$HP/"; b="$CODE $(header Location)"
  MSG="curl 47 after 10 redirects; https -> $a; http -> $b"
}
check_bad_gateway() {
  req "$host" "$ip" "https://$host:$SP/health"
  [ "$RC" = 0 ] && [ "$CODE" = 502 ] || { MSG="expected 502, got rc=$RC code=$CODE $ERR"; return 1; }
  MSG="https verifies; /health -> 502 ($(header Server))"
}
check_health_500() {
  req "$host" "$ip" "https://$host:$SP/health"
  [ "$RC" = 0 ] && [ "$CODE" = 500 ] || { MSG="expected 500, got rc=$RC code=$CODE $ERR"; return 1; }
  req "$host" "$ip" "https://$host:$SP/"
  [ "$CODE" = 200 ] || { MSG="/ should be 200, got $CODE"; return 1; }
  MSG="https verifies; /health -> 500 while / -> 200"
}
preflight() {
  req "$host" "$ip" "https://$host:$SP/api/items" -X OPTIONS -H "Origin: $ORIGIN" \
    -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type'
}
check_cors_no_acao() {
  preflight
  [ "$RC" = 0 ] && [[ $CODE == 2* ]] || { MSG="preflight: rc=$RC code=$CODE $ERR"; return 1; }
  [ -z "$(header Access-Control-Allow-Origin)" ] || { MSG="ACAO present: $(header Access-Control-Allow-Origin)"; return 1; }
  MSG="preflight OPTIONS /api/items (Origin $ORIGIN) -> $CODE without Access-Control-Allow-Origin"
}
check_cors_no_options() {
  preflight
  [ "$RC" = 0 ] && { [ "$CODE" = 405 ] || [ "$CODE" = 501 ]; } || { MSG="preflight: rc=$RC code=$CODE $ERR"; return 1; }
  local pc=$CODE
  req "$host" "$ip" "https://$host:$SP/api/items"
  MSG="preflight OPTIONS /api/items -> $pc (no ACAO); GET /api/items -> $CODE"
}
check_mixed_content() {
  req "$host" "$ip" "https://$host:$SP/"
  [ "$RC" = 0 ] && [ "$CODE" = 200 ] || { MSG="https page: rc=$RC code=$CODE $ERR"; return 1; }
  local js img https_js
  js=$(grep -o '<script src="http://[^"]*"' "$T/b" | head -n 1)
  img=$(grep -o '<img src="http://[^"]*"' "$T/b" | head -n 1)
  https_js=$(grep -o '<script src="https://[^"]*"' "$T/b" | sed 's/.*src="//; s/"$//' | head -n 1)
  [ -n "$js" ] && [ -n "$img" ] && [ -n "$https_js" ] || { MSG="page lacks http script/img or https script"; return 1; }
  req "$host" "$ip" "$https_js"
  [ "$RC" = 0 ] && [ "$CODE" = 200 ] && grep -q "http://api.student.test:$HP/v1" "$T/b" \
    || { MSG="$https_js: rc=$RC code=$CODE, no http API base"; return 1; }
  local u=${js#<script src=\"}; u=${u%\"}
  req "$host" "$ip" "$u"
  MSG="https page has ${js#<}, ${img#<}; $https_js holds http://api.student.test:$HP/v1; $u -> $CODE over http"
}
check_bad_cookie() {
  req "$host" "$ip" "https://$host:$SP/"
  [ "$RC" = 0 ] && [ "$CODE" = 200 ] || { MSG="https /: rc=$RC code=$CODE $ERR"; return 1; }
  local ck; ck=$(header Set-Cookie)
  [ -n "$ck" ] && [[ $ck != *Secure* && $ck != *HttpOnly* && $ck == *SameSite=None* ]] || { MSG="Set-Cookie: $ck"; return 1; }
  MSG="Set-Cookie: $ck (SameSite=None without Secure; no HttpOnly)"
}
check_https_to_plain() {
  req "$host" "$ip" "https://$host:$SP/"
  [ "$RC" = 35 ] && [[ $ERR == *"wrong version number"* ]] || { MSG="expected curl 35 wrong version number, got rc=$RC $ERR"; return 1; }
  local m="curl 35: ${ERR##*: }"
  req "$host" "$ip" "http://$host:$SP/"
  [ "$CODE" = 200 ] || { MSG="$m; but http to :$SP gave $CODE"; return 1; }
  MSG="$m; plain http://$host:$SP/ -> 200"
}
check_http_to_tls() {
  req "$host" "$ip" "http://$host:$SP/"
  [ "$RC" = 0 ] && [ "$CODE" = 400 ] && grep -q "The plain HTTP request was sent to HTTPS port" "$T/b" \
    || { MSG="expected 400 plain HTTP..., got rc=$RC code=$CODE"; return 1; }
  MSG="http://$host:$SP/ -> 400 \"The plain HTTP request was sent to HTTPS port\""
}
check_frontend_ok() {
  req "$host" "$ip" "https://$host:$SP/"
  [ "$RC" = 0 ] && [ "$CODE" = 200 ] && ! grep -q 'http://[a-z]*\.student' "$T/b" \
    || { MSG="https /: rc=$RC code=$CODE $ERR"; return 1; }
  MSG="https://$host:$SP/ -> 200, no http:// resource"
}
check_nxdomain() {
  local st st6 sv
  st=$(dig_status "$host" A); st6=$(dig_status "$host" AAAA); sv=$(dig_status valid.student.test AAAA)
  [ "$st" = NXDOMAIN ] && [ "$st6" = NXDOMAIN ] || { MSG="dig $host: A $st, AAAA $st6"; return 1; }
  [ "$sv" = NOERROR ] || { MSG="AAAA valid.student.test: $sv (should be NOERROR, not REFUSED)"; return 1; }
  MSG="dig $host: A $st, AAAA $st6 (AAAA of an existing name: $sv)"
}

# fixtures.json -> "name host ip expect" lines
FIX=$("$PYTHON" -c '
import json, sys
for f in json.load(open(sys.argv[1])):
    print(f["name"], f["host"], f["ip"] or "-", f["expect"])' "$LAB_DIR/fixtures.json") || { echo "cannot read fixtures.json" >&2; exit 2; }

while read -r name host ip expect; do
  MSG=""
  if [ "$ip" != - ]; then
    got=$(dig_a "$host")
    if [ "$got" != "$ip" ]; then report FAIL "$name" "$expect" "dig $host -> '$got', expected $ip"; continue; fi
  fi
  if ! declare -F "check_$expect" >/dev/null; then report FAIL "$name" "$expect" "no check for '$expect'"; continue; fi
  if "check_$expect"; then report PASS "$name" "$expect" "$MSG"; else report FAIL "$name" "$expect" "$MSG"; fi
done <<<"$FIX"

echo "$((TOTAL - FAILS))/$TOTAL fixtures as expected"
[ "$FAILS" -eq 0 ]

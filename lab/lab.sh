#!/usr/bin/env bash
# lockstep HTTPS lab: DNS + ACME CA + backend + nginx with one server per failure fixture,
# all on loopback, all state under one directory.
#
#   lab/lab.sh up DIR     bring the lab up under DIR (a fresh dir the caller made); writes
#                         DIR/lab.env and DIR/fixtures.json; exit 0 only when everything answers
#   lab/lab.sh down DIR   stop every process recorded in DIR/pids and wait for it to exit
#
# Nothing outside DIR is written. No system config or service is touched. See lab/README.md.
#
# Ports (defaults below) can be moved with LAB_DNS_PORT, LAB_HTTP_PORT, LAB_HTTPS_PORT,
# LAB_BACKEND_PORT, LAB_CLOSED_PORT, LAB_PEBBLE_PORT and LAB_PEBBLE_MGMT_PORT, so two labs (the
# one `lockstep serve` runs for the sandbox, the one scripts/test.sh runs) can run at once.
set -euo pipefail

LAB_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

ZONE=student.test
DNS_ADDR=127.0.0.1 DNS_PORT="${LAB_DNS_PORT:-5353}"
HTTP_PORT="${LAB_HTTP_PORT:-18080}" HTTPS_PORT="${LAB_HTTPS_PORT:-18443}"
BACKEND_ADDR=127.0.0.1 BACKEND_PORT="${LAB_BACKEND_PORT:-18000}"
CLOSED_PORT="${LAB_CLOSED_PORT:-18999}"
PEBBLE_PORT="${LAB_PEBBLE_PORT:-14000}" PEBBLE_MGMT_PORT="${LAB_PEBBLE_MGMT_PORT:-15000}"
for _p in DNS_PORT HTTP_PORT HTTPS_PORT BACKEND_PORT CLOSED_PORT PEBBLE_PORT PEBBLE_MGMT_PORT; do
  case "${!_p}" in ''|*[!0-9]*) echo "[lab] ERROR: LAB_$_p must be a port number, not '${!_p}'" >&2; exit 2;; esac
done
CORS_ORIGIN="https://www.student.test"
# More names for the `valid` fixture (labels in $ZONE, e.g. "api"): its address in DNS, its nginx
# server_name and its certbot certificate cover them too. lockstep's sandbox uses "api" so the
# default name plan of the lab's zone (api.student.test) is served for real.
VALID_ALIASES="${LAB_VALID_ALIASES:-}"
for _a in $VALID_ALIASES; do
  case "$_a" in ''|*[!a-z0-9-]*|-*) echo "[lab] ERROR: LAB_VALID_ALIASES must be DNS labels, not '$_a'" >&2; exit 2;; esac
done

NGINX_BIN="${LAB_NGINX_BIN:-/usr/sbin/nginx}"
PEBBLE_BIN="${LAB_PEBBLE_BIN:-$(command -v pebble || echo /usr/bin/pebble)}"
DNSMASQ_BIN="${LAB_DNSMASQ_BIN:-$(command -v dnsmasq || echo /usr/sbin/dnsmasq)}"
CERTBOT_BIN="${LAB_CERTBOT_BIN:-$(command -v certbot || echo /usr/bin/certbot)}"
if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON="$(command -v python3)"; fi

# name | loopback address | expect | detail. Each fixture has its own 127.0.N.1.
# httpontls reuses valid's address; missing has no address (NXDOMAIN).
FIXTURES=(
  "valid|127.0.2.1|ok|pebble-issued cert via certbot; https proxies to the backend; http 301 to https"
  "mismatch|127.0.3.1|name_mismatch|valid test-CA chain, leaf is for other.student.test"
  "expired|127.0.4.1|expired|test-CA leaf whose notAfter is in the past"
  "selfsigned|127.0.5.1|self_signed|self-signed leaf"
  "nochain|127.0.6.1|incomplete_chain|leaf from the test intermediate served without the intermediate"
  "noredirect|127.0.7.1|no_redirect|http serves 200 content instead of a 301 to https"
  "loop|127.0.8.1|redirect_loop|https 301 to http, http 301 to https"
  "badgateway|127.0.9.1|bad_gateway|https proxies to 127.0.0.1:18999 where nothing listens: 502"
  "health500|127.0.10.1|health_500|GET /health proxied to the backend's /health500: 500"
  "nocors|127.0.11.1|cors_no_acao|OPTIONS /api/* answers 204 without Access-Control-Allow-Origin"
  "noopts|127.0.12.1|cors_no_options|OPTIONS /api/* answers 405 (nginx: return 405)"
  "mixed|127.0.13.1|mixed_content|https page loads http:// script and image; https JS has an http:// API base"
  "cookies|127.0.14.1|bad_cookie|GET / sets 'session=abc; SameSite=None' without Secure/HttpOnly"
  "plainonhttps|127.0.15.1|https_to_plain|port 18443 is plain http: TLS client gets 'wrong version number'"
  "httpontls|127.0.2.1|http_to_tls|plain http to valid's 18443: 400 'The plain HTTP request was sent to HTTPS port'"
  "missing||nxdomain|missing.student.test does not exist in DNS"
  "www|127.0.16.1|frontend_ok|the frontend: clean https page (test-CA chain) whose script calls the API over https"
)

# Names only in DNS, for tests that run their own nginx (server/tests/instance_https_lab.rs): name|address.
# free: lockstep's generated site; free-closed: nothing listens there (port 80 closed);
# stray: free's address, while its own server block listens on 127.0.22.1 (the name is caught
# by another server block). Not fixtures: the lab's nginx does not serve them.
DNS_ONLY=(
  "free|127.0.20.1"
  "free-closed|127.0.21.1"
  "stray|127.0.20.1"
)

log() { printf '[lab %6s] %s\n' "$(elapsed)" "$*"; }
die() { printf '[lab] ERROR: %s\n' "$*" >&2; exit 1; }
_t0=${EPOCHREALTIME/./}
elapsed() { local us=$(( ${EPOCHREALTIME/./} - _t0 )); printf '%d.%02ds' $((us / 1000000)) $(((us % 1000000) / 10000)); }

# --- process bookkeeping -------------------------------------------------------------------
# DIR/pids lines: "<name> <pid> <starttime>"; starttime (field 22 of /proc/PID/stat) guards
# against signalling a recycled PID on a second `down`.
proc_starttime() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }                  # fields after "comm"; field 3 (state) is first
  set -- $s
  echo "${20}"
}
proc_state() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }
  echo "${s%% *}"
}
# alive = exists, same start time, not a zombie
proc_alive() {
  local pid=$1 start=${2:-} st
  st=$(proc_state "$pid") || return 1
  [ "$st" != Z ] || return 1
  if [ -n "$start" ]; then [ "$(proc_starttime "$pid")" = "$start" ] || return 1; fi
  return 0
}
record_pid() { # name pid
  local start
  start=$(proc_starttime "$2") || die "$1 (pid $2) exited at once; see $LAB/logs/$1.log"
  echo "$1 $2 $start" >> "$LAB/pids"
}
children_of() {
  local parent=$1 p f
  for f in /proc/[0-9]*/stat; do
    p=$(cat "$f" 2>/dev/null) || continue
    p=${p##*) }; set -- $p
    if [ "$2" = "$parent" ]; then f=${f#/proc/}; echo "${f%/stat}"; fi
  done
  return 0
}

# start NAME CMD... : run in the background in its own session, stdio to DIR/logs/NAME.log
start_bg() {
  local name=$1; shift
  setsid "$@" </dev/null >>"$LAB/logs/$name.log" 2>&1 &
  local pid=$!
  record_pid "$name" "$pid"
  eval "PID_${name}=$pid"
}

# wait_until SECONDS WHAT PROCNAME CMD... : poll CMD every 50 ms; fail if PROCNAME's process died
wait_until() {
  local secs=$1 what=$2 pname=$3; shift 3
  local deadline=$(( ${EPOCHREALTIME/./} + secs * 1000000 )) pid=""
  [ -n "$pname" ] && eval "pid=\${PID_${pname}:-}"
  while :; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [ -n "$pid" ] && ! proc_alive "$pid"; then
      tail -n 20 "$LAB/logs/$pname.log" >&2 || true
      die "$what: $pname (pid $pid) exited; log: $LAB/logs/$pname.log"
    fi
    if [ "${EPOCHREALTIME/./}" -gt "$deadline" ]; then
      [ -n "$pname" ] && { tail -n 20 "$LAB/logs/$pname.log" >&2 || true; }
      die "$what: not ready after ${secs}s"
    fi
    sleep 0.05
  done
}

# curl that trusts only what we pass (the environment points CURL_CA_BUNDLE etc. at the system)
lcurl() {
  env -u CURL_CA_BUNDLE -u SSL_CERT_FILE -u SSL_CERT_DIR -u REQUESTS_CA_BUNDLE \
    curl -q --silent --show-error --max-time 5 --noproxy '*' --capath "$LAB/empty-capath" "$@"
}

port_in_use() { # proto(t|u) addr:port
  ss -Hln"$1" "sport = :${2##*:}" 2>/dev/null | awk -v a="$2" '$4==a || $4 ~ /^(0\.0\.0\.0|\*|\[::\]):/ {f=1} END {exit !f}'
}

# --- certificates --------------------------------------------------------------------------
write_openssl_cnf() {
  cat > "$LAB/ca/openssl.cnf" <<EOF
# Test CA for the lockstep lab (generated; used only with -config, never the system one)
[req]
distinguished_name = req_dn
prompt = no
[req_dn]
CN = lockstep-lab
[v3_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_inter]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[v3_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = \$ENV::LAB_SAN
[v3_self]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyCertSign
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = \$ENV::LAB_SAN
[ca]
default_ca = labca
[labca]
database = $LAB/ca/index.txt
new_certs_dir = $LAB/ca/newcerts
serial = $LAB/ca/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
x509_extensions = v3_leaf
[policy_any]
commonName = supplied
EOF
  : > "$LAB/ca/index.txt"
  mkdir -p "$LAB/ca/newcerts"
  od -An -N8 -tx1 /dev/urandom | tr -d ' \n' > "$LAB/ca/serial"
}

export LAB_SAN="DNS:placeholder.invalid"   # openssl.cnf reads $ENV::LAB_SAN
ossl() { OPENSSL_CONF="$LAB/ca/openssl.cnf" openssl "$@"; }
rand_serial() { echo "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"; }
newkey_csr() { # keyfile csrfile CN
  ossl req -new -config "$LAB/ca/openssl.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$1" -subj "/CN=$3" -out "$2" 2>/dev/null
}
# leaf NAME DNSNAME [issuer-prefix]: certs/NAME/{key.pem,leaf.pem,fullchain.pem}
make_leaf() {
  local name=$1 dns=$2 ca=${3:-$LAB/ca/inter} d="$LAB/certs/$1"
  mkdir -p "$d"
  newkey_csr "$d/key.pem" "$d/leaf.csr" "$dns"
  LAB_SAN="DNS:$dns" ossl x509 -req -in "$d/leaf.csr" -CA "$ca.pem" -CAkey "$ca.key" \
    -set_serial "$(rand_serial)" -days 30 -sha256 \
    -extfile "$LAB/ca/openssl.cnf" -extensions v3_leaf -out "$d/leaf.pem" 2>/dev/null
  cat "$d/leaf.pem" "$LAB/ca/inter.pem" > "$d/fullchain.pem"
}

make_test_ca() {
  local c="$LAB/ca"
  # root
  ossl req -x509 -config "$c/openssl.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$c/root.key" -out "$c/root.pem" -days 30 -set_serial "$(rand_serial)" \
    -subj "/O=lockstep lab/CN=lockstep lab test root CA" -extensions v3_root 2>/dev/null
  # intermediate
  newkey_csr "$c/inter.key" "$c/inter.csr" "lockstep lab test intermediate CA"
  ossl x509 -req -in "$c/inter.csr" -CA "$c/root.pem" -CAkey "$c/root.key" -set_serial "$(rand_serial)" \
    -days 30 -sha256 -extfile "$c/openssl.cnf" -extensions v3_inter -out "$c/inter.pem" 2>/dev/null

  # leaves in parallel with the rest
  local f jobs=()
  for f in mismatch:other noredirect loop badgateway health500 nocors noopts mixed cookies nochain www; do
    make_leaf "${f%%:*}" "${f##*:}.$ZONE" & jobs+=($!)
  done
  # expired: `openssl ca` can set dates in the past (openssl 3.0 x509 has no -not_after)
  mkdir -p "$LAB/certs/expired"
  newkey_csr "$LAB/certs/expired/key.pem" "$LAB/certs/expired/leaf.csr" "expired.$ZONE"
  LAB_SAN="DNS:expired.$ZONE" ossl ca -config "$c/openssl.cnf" -batch -notext \
    -cert "$c/inter.pem" -keyfile "$c/inter.key" -in "$LAB/certs/expired/leaf.csr" \
    -startdate 20240101000000Z -enddate 20240201000000Z -extensions v3_leaf \
    -out "$LAB/certs/expired/leaf.pem" 2>"$LAB/logs/openssl-ca.log"
  cat "$LAB/certs/expired/leaf.pem" "$c/inter.pem" > "$LAB/certs/expired/fullchain.pem"
  # self-signed
  mkdir -p "$LAB/certs/selfsigned"
  LAB_SAN="DNS:selfsigned.$ZONE" ossl req -x509 -config "$c/openssl.cnf" -newkey ec \
    -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$LAB/certs/selfsigned/key.pem" \
    -out "$LAB/certs/selfsigned/leaf.pem" -days 30 -set_serial "$(rand_serial)" \
    -subj "/CN=selfsigned.$ZONE" -extensions v3_self 2>/dev/null
  cp "$LAB/certs/selfsigned/leaf.pem" "$LAB/certs/selfsigned/fullchain.pem"
  for f in "${jobs[@]}"; do wait "$f"; done
  for f in mismatch noredirect loop badgateway health500 nocors noopts mixed cookies nochain expired selfsigned www; do
    if ! [ -s "$LAB/certs/$f/fullchain.pem" ] || ! [ -s "$LAB/certs/$f/key.pem" ]; then
      echo "cert for $f missing" >&2; return 1
    fi
  done
}

make_pebble_listener_cert() {
  # pebble's own HTTPS listener: a throwaway CA + leaf (SAN localhost, 127.0.0.1), separate from
  # the fixture test CA. Its CA is what certbot trusts (REQUESTS_CA_BUNDLE).
  local p="$LAB/pebble"
  ossl req -x509 -config "$LAB/ca/openssl.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$p/listener-ca.key" -out "$p/listener-ca.pem" -days 30 -set_serial "$(rand_serial)" \
    -subj "/CN=lockstep lab pebble listener CA" -extensions v3_root 2>/dev/null
  newkey_csr "$p/key.pem" "$p/cert.csr" localhost
  LAB_SAN="DNS:localhost,IP:127.0.0.1" ossl x509 -req -in "$p/cert.csr" -CA "$p/listener-ca.pem" \
    -CAkey "$p/listener-ca.key" -set_serial "$(rand_serial)" -days 30 -sha256 \
    -extfile "$LAB/ca/openssl.cnf" -extensions v3_leaf -out "$p/cert.pem" 2>/dev/null
}

# --- configs -------------------------------------------------------------------------------
write_dnsmasq_conf() {
  {
    echo "# generated by lab.sh"
    echo "port=$DNS_PORT"
    echo "listen-address=$DNS_ADDR"
    echo "bind-interfaces"
    echo "no-resolv"
    echo "no-hosts"
    echo "no-poll"
    echo "local=/$ZONE/"
    echo "pid-file=$LAB/dnsmasq.pid"
    echo "log-facility=-"
    echo "log-queries"
    if [ "$(id -u)" = 0 ]; then echo "user=root"; fi
    local f name ip
    for f in "${FIXTURES[@]}"; do
      IFS='|' read -r name ip _ _ <<<"$f"
      if [ -n "$ip" ] && [ "$name" != httpontls ]; then echo "host-record=$name.$ZONE,$ip"; fi
    done
    for name in $VALID_ALIASES; do echo "host-record=$name.$ZONE,127.0.2.1"; done
    echo "# DNS only (tests with their own nginx)"
    for f in "${DNS_ONLY[@]}"; do echo "host-record=${f%%|*}.$ZONE,${f#*|}"; done
  } > "$LAB/dnsmasq.conf"
}

write_pebble_conf() {
  cat > "$LAB/pebble/pebble-config.json" <<EOF
{
  "pebble": {
    "listenAddress": "127.0.0.1:$PEBBLE_PORT",
    "managementListenAddress": "127.0.0.1:$PEBBLE_MGMT_PORT",
    "certificate": "$LAB/pebble/cert.pem",
    "privateKey": "$LAB/pebble/key.pem",
    "httpPort": $HTTP_PORT,
    "tlsPort": $HTTPS_PORT,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
EOF
}

write_www() {
  mkdir -p "$LAB/www/noredirect" "$LAB/www/mixed/static" "$LAB/www/www/static"
  cat > "$LAB/www/www/index.html" <<EOF
<!doctype html>
<html><head><meta charset="utf-8"><title>frontend</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js"></script>
</head>
<body><h1>www.$ZONE</h1><img src="https://www.$ZONE:$HTTPS_PORT/static/logo.png" alt="logo"></body></html>
EOF
  cat > "$LAB/www/www/static/app.js" <<EOF
// the frontend calls the API over https
window.API_BASE_URL = "https://valid.$ZONE:$HTTPS_PORT/api";
const svg = "http://www.w3.org/2000/svg";
EOF
  echo 'body { font-family: sans-serif; }' > "$LAB/www/www/static/app.css"
  cat > "$LAB/www/noredirect/index.html" <<EOF
<!doctype html>
<html><head><meta charset="utf-8"><title>noredirect</title></head>
<body><h1>noredirect.$ZONE</h1><p>Served over plain HTTP: no redirect to HTTPS.</p></body></html>
EOF
  cat > "$LAB/www/mixed/index.html" <<EOF
<!doctype html>
<html><head><meta charset="utf-8"><title>mixed</title>
<script src="https://mixed.$ZONE:$HTTPS_PORT/static/config.js"></script>
<script src="http://mixed.$ZONE:$HTTP_PORT/app.js"></script>
</head>
<body><h1>mixed.$ZONE</h1>
<img src="http://mixed.$ZONE:$HTTP_PORT/logo.png" alt="logo">
</body></html>
EOF
  cat > "$LAB/www/mixed/static/config.js" <<EOF
// API base URL the frontend calls: plain http from an https page (mixed content)
window.API_BASE_URL = "http://api.$ZONE:$HTTP_PORT/v1";
EOF
  cat > "$LAB/www/mixed/app.js" <<EOF
console.log("app.js loaded over plain http");
EOF
  # 1x1 transparent PNG
  printf '%s' 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=' \
    | base64 -d > "$LAB/www/mixed/logo.png"
}

write_nginx_conf() { # full|bootstrap (bootstrap: only valid's HTTP server, for certbot)
  local mode=${1:-full} L=$LAB B="http://$BACKEND_ADDR:$BACKEND_PORT"
  local PROXY_HDRS="proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;"
  ip_of() {
    local f n i
    for f in "${FIXTURES[@]}"; do
      IFS='|' read -r n i _ _ <<<"$f"
      if [ "$n" = "$1" ]; then echo "$i"; return 0; fi
    done
    die "no fixture $1"
  }
  names_of() { # the fixture's server names: valid also answers for its aliases
    local n="$1.$ZONE" a
    if [ "$1" = valid ]; then for a in $VALID_ALIASES; do n+=" $a.$ZONE"; done; fi
    echo "$n"
  }
  tls() { # name [certfile]
    echo "        listen $(ip_of "$1"):$HTTPS_PORT ssl;
        server_name $(names_of "$1");
        ssl_certificate $L/certs/$1/${2:-fullchain.pem};
        ssl_certificate_key $L/certs/$1/key.pem;"
  }
  redirect_http() { # name
    echo "    server {
        listen $(ip_of "$1"):$HTTP_PORT;
        server_name $(names_of "$1");
        return 301 https://\$host:$HTTPS_PORT\$request_uri;
    }"
  }
  proxied_https() { # name [certfile]
    echo "    server {
$(tls "$1" "${2:-}")
        location / {
            proxy_pass $B;
            $PROXY_HDRS
        }
    }"
  }
  {
    echo "# generated by lab.sh: the lockstep HTTPS lab. Start: nginx -c $L/nginx.conf -g 'daemon off;'"
    if [ "$(id -u)" = 0 ]; then echo "user root;   # the files live in the caller's private temp dir"; fi
    cat <<EOF
worker_processes 1;
pid $L/nginx.pid;
error_log $L/logs/nginx-error.log notice;

events {
    worker_connections 512;
}

http {
    access_log $L/logs/nginx-access.log;
    client_body_temp_path $L/nginx-tmp/client_body;
    proxy_temp_path $L/nginx-tmp/proxy;
    fastcgi_temp_path $L/nginx-tmp/fastcgi;
    uwsgi_temp_path $L/nginx-tmp/uwsgi;
    scgi_temp_path $L/nginx-tmp/scgi;
    types {
        text/html html;
        application/javascript js;
        image/png png;
        text/plain txt;
    }
    default_type application/octet-stream;
    server_names_hash_bucket_size 64;
    keepalive_timeout 5;
    ssl_protocols TLSv1.2 TLSv1.3;
    proxy_connect_timeout 3s;

    # valid: real pebble certificate (certbot, HTTP-01); http 301 to https
EOF
    redirect_http valid
    if [ "$mode" = bootstrap ]; then
      echo "    # bootstrap config for certbot; the other fixtures are added once their certs exist"
      echo "}"
    else
    proxied_https valid
    echo; echo "    # mismatch: leaf for other.$ZONE"
    redirect_http mismatch; proxied_https mismatch
    echo; echo "    # expired"
    redirect_http expired; proxied_https expired
    echo; echo "    # selfsigned"
    redirect_http selfsigned; proxied_https selfsigned
    echo; echo "    # nochain: leaf only, no intermediate"
    redirect_http nochain; proxied_https nochain leaf.pem
    echo; echo "    # noredirect: http serves content"
    cat <<EOF
    server {
        listen $(ip_of noredirect):$HTTP_PORT;
        server_name noredirect.$ZONE;
        root $L/www/noredirect;
    }
EOF
    proxied_https noredirect
    echo; echo "    # loop: https -> http -> https ..."
    cat <<EOF
    server {
        listen $(ip_of loop):$HTTP_PORT;
        server_name loop.$ZONE;
        return 301 https://loop.$ZONE:$HTTPS_PORT/;
    }
    server {
$(tls loop)
        return 301 http://loop.$ZONE:$HTTP_PORT/;
    }
EOF
    echo; echo "    # badgateway: upstream is a closed port"
    redirect_http badgateway
    cat <<EOF
    server {
$(tls badgateway)
        location / {
            proxy_pass http://127.0.0.1:$CLOSED_PORT;
            $PROXY_HDRS
        }
    }
EOF
    echo; echo "    # health500: /health -> backend /health500"
    redirect_http health500
    cat <<EOF
    server {
$(tls health500)
        location = /health {
            proxy_pass $B/health500;
            $PROXY_HDRS
        }
        location / {
            proxy_pass $B;
            $PROXY_HDRS
        }
    }
EOF
    echo; echo "    # nocors: preflight 204 without Access-Control-Allow-Origin"
    redirect_http nocors
    cat <<EOF
    server {
$(tls nocors)
        location /api/ {
            if (\$request_method = OPTIONS) {
                return 204;
            }
            proxy_pass $B;
            $PROXY_HDRS
            proxy_hide_header Access-Control-Allow-Origin;
            proxy_hide_header Access-Control-Allow-Credentials;
        }
        location / {
            proxy_pass $B;
            $PROXY_HDRS
        }
    }
EOF
    echo; echo "    # noopts: OPTIONS not allowed (405)"
    redirect_http noopts
    cat <<EOF
    server {
$(tls noopts)
        location /api/ {
            if (\$request_method = OPTIONS) {
                return 405;
            }
            proxy_pass $B;
            $PROXY_HDRS
        }
        location / {
            proxy_pass $B;
            $PROXY_HDRS
        }
    }
EOF
    echo; echo "    # mixed: https page that pulls http:// resources (also served over http)"
    cat <<EOF
    server {
        listen $(ip_of mixed):$HTTP_PORT;
        server_name mixed.$ZONE;
        root $L/www/mixed;
    }
    server {
$(tls mixed)
        root $L/www/mixed;
    }
EOF
    echo; echo "    # www: the frontend, a clean static page over https"
    redirect_http www
    cat <<EOF
    server {
$(tls www)
        root $L/www/www;
    }
EOF
    echo; echo "    # cookies: / -> backend /badcookie"
    redirect_http cookies
    cat <<EOF
    server {
$(tls cookies)
        location = / {
            proxy_pass $B/badcookie;
            $PROXY_HDRS
        }
        location / {
            proxy_pass $B;
            $PROXY_HDRS
        }
    }
EOF
    echo; echo "    # plainonhttps: port $HTTPS_PORT without ssl"
    cat <<EOF
    server {
        listen $(ip_of plainonhttps):$HTTP_PORT;
        listen $(ip_of plainonhttps):$HTTPS_PORT;
        server_name plainonhttps.$ZONE;
        default_type text/plain;
        return 200 "plain http on port \$server_port\n";
    }
}
EOF
    fi
  } > "$L/nginx.conf.tmp"
  mv "$L/nginx.conf.tmp" "$L/nginx.conf"
}

write_outputs() {
  {
    printf 'LAB_DIR=%q\n' "$LAB"
    printf 'LAB_DNS=%s\n' "$DNS_ADDR:$DNS_PORT"
    printf 'LAB_CA_BUNDLE=%q\n' "$LAB/ca-bundle.pem"
    printf 'LAB_PEBBLE_DIR_URL=%s\n' "https://127.0.0.1:$PEBBLE_PORT/dir"
    printf 'LAB_PEBBLE_LISTENER_CA=%q\n' "$LAB/pebble/listener-ca.pem"
    printf 'LAB_HTTP_PORT=%s\n' "$HTTP_PORT"
    printf 'LAB_HTTPS_PORT=%s\n' "$HTTPS_PORT"
    printf 'LAB_BACKEND=%s\n' "$BACKEND_ADDR:$BACKEND_PORT"
    printf 'LAB_NGINX_CONF=%q\n' "$LAB/nginx.conf"
    printf 'LAB_NGINX_PID=%s\n' "$PID_nginx"
    printf 'LAB_ZONE=%s\n' "$ZONE"
    printf 'LAB_VALID_ADDR=%s\n' "127.0.2.1"
    printf 'LAB_VALID_NAMES=%q\n' "valid.$ZONE$(for a in $VALID_ALIASES; do printf ' %s.%s' "$a" "$ZONE"; done)"
    # extras
    printf 'LAB_FIXTURES=%q\n' "$LAB/fixtures.json"
    printf 'LAB_CLOSED_PORT=%s\n' "$CLOSED_PORT"
    printf 'LAB_PEBBLE_MGMT_URL=%s\n' "https://127.0.0.1:$PEBBLE_MGMT_PORT"
    printf 'LAB_PEBBLE_ROOT=%q\n' "$LAB/pebble-root.pem"
    printf 'LAB_PEBBLE_INTERMEDIATE=%q\n' "$LAB/pebble-intermediate.pem"
    printf 'LAB_TEST_CA_ROOT=%q\n' "$LAB/ca/root.pem"
    printf 'LAB_TEST_CA_INTERMEDIATE=%q\n' "$LAB/ca/inter.pem"
    printf 'LAB_CERTBOT_CONFIG_DIR=%q\n' "$LAB/certbot/config"
    printf 'LAB_CORS_ORIGIN=%s\n' "$CORS_ORIGIN"
  } > "$LAB/lab.env.tmp"
  mv "$LAB/lab.env.tmp" "$LAB/lab.env"

  local f rows=""
  for f in "${FIXTURES[@]}"; do rows+="$f"$'\n'; done
  ROWS="$rows" ZONE="$ZONE" HP="$HTTP_PORT" SP="$HTTPS_PORT" "$PYTHON" - "$LAB/fixtures.json" <<'EOF'
import json, os, sys
out = []
for line in os.environ["ROWS"].splitlines():
    name, ip, expect, detail = line.split("|", 3)
    host = ("valid" if name == "httpontls" else name) + "." + os.environ["ZONE"]
    out.append({"name": name, "host": host, "ip": ip or None,
                "http_port": int(os.environ["HP"]), "https_port": int(os.environ["SP"]),
                "expect": expect, "detail": detail})
with open(sys.argv[1] + ".tmp", "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
EOF
}

# --- up / down -----------------------------------------------------------------------------
cmd_up() {
  [ -d "$LAB" ] || die "$LAB is not a directory (create it first, e.g. mktemp -d)"
  if [ -s "$LAB/pids" ]; then
    local n p s
    while read -r n p s; do
      if proc_alive "$p" "$s"; then die "$LAB already has a running lab ($n pid $p); run: $0 down $LAB"; fi
    done < "$LAB/pids"
  fi
  # A stopped lab's state (certbot's account and certificate from the previous pebble, whose
  # CA no longer exists) makes the new one fail half-way: start only in an empty directory.
  if [ -n "$(ls -A "$LAB" 2>/dev/null)" ]; then
    die "$LAB is not empty (a previous lab's state would be reused and fail): use a fresh directory, e.g. mktemp -d"
  fi
  local a
  for a in "u $DNS_ADDR:$DNS_PORT" "t $DNS_ADDR:$DNS_PORT" "t 127.0.0.1:$PEBBLE_PORT" \
           "t 127.0.0.1:$PEBBLE_MGMT_PORT" "t $BACKEND_ADDR:$BACKEND_PORT" "t 127.0.2.1:$HTTP_PORT" \
           "t 127.0.2.1:$HTTPS_PORT"; do
    if port_in_use ${a% *} "${a#* }"; then die "${a#* } is already in use (another lab running?)"; fi
  done
  for a in nginx:"$NGINX_BIN" pebble:"$PEBBLE_BIN" dnsmasq:"$DNSMASQ_BIN" certbot:"$CERTBOT_BIN" \
           dig:"$(command -v dig || true)" openssl:"$(command -v openssl || true)" curl:"$(command -v curl || true)"; do
    [ -x "${a#*:}" ] || die "${a%%:*} not found (apt-get install -y nginx pebble certbot python3-certbot-nginx dnsmasq bind9-dnsutils openssl curl)"
  done

  : > "$LAB/pids"
  mkdir -p "$LAB/logs" "$LAB/ca" "$LAB/certs" "$LAB/pebble" "$LAB/nginx-tmp" "$LAB/certbot" "$LAB/empty-capath"
  UP_OK=0 CERTJOB=""
  trap 'exit 130' INT TERM HUP
  trap 'if [ "$UP_OK" != 1 ]; then
          set +e
          echo "[lab] bring-up failed; stopping what was started (logs: $LAB/logs)" >&2
          [ -n "$CERTJOB" ] && wait "$CERTJOB" 2>/dev/null   # short; let it finish (no orphans)
          cmd_down >&2; exit 1
        fi' EXIT

  write_openssl_cnf
  make_pebble_listener_cert
  write_dnsmasq_conf
  write_pebble_conf
  write_nginx_conf bootstrap

  # DNS, ACME CA, backend and a bootstrap nginx (valid's HTTP server only) start at once
  start_bg dnsmasq "$DNSMASQ_BIN" --keep-in-foreground --conf-file="$LAB/dnsmasq.conf"
  start_bg pebble env PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
    "$PEBBLE_BIN" -config "$LAB/pebble/pebble-config.json" -dnsserver "$DNS_ADDR:$DNS_PORT"
  start_bg backend "$PYTHON" -u "$LAB_SRC/backend.py" --host "$BACKEND_ADDR" --port "$BACKEND_PORT" \
    --https-port "$HTTPS_PORT"
  start_bg nginx "$NGINX_BIN" -c "$LAB/nginx.conf" -g 'daemon off;'

  # the openssl test CA and fixture certs are made while certbot runs (a child, not a daemon)
  ( trap - EXIT INT TERM HUP; renice -n 10 -p "$BASHPID" >/dev/null 2>&1 || true; make_test_ca && write_www ) >"$LAB/logs/certs.log" 2>&1 &
  CERTJOB=$!

  wait_until 5 "dnsmasq" dnsmasq \
    bash -c "dig +time=1 +tries=1 -p $DNS_PORT @$DNS_ADDR valid.$ZONE A +short | grep -qx 127.0.2.1"
  log "dns     dnsmasq pid $PID_dnsmasq on $DNS_ADDR:$DNS_PORT"
  wait_until 5 "backend" backend lcurl -f -o /dev/null "http://$BACKEND_ADDR:$BACKEND_PORT/health"
  log "backend python pid $PID_backend on $BACKEND_ADDR:$BACKEND_PORT"
  wait_until 10 "pebble" pebble lcurl -f -o /dev/null --cacert "$LAB/pebble/listener-ca.pem" \
    "https://127.0.0.1:$PEBBLE_PORT/dir"
  lcurl -f --cacert "$LAB/pebble/listener-ca.pem" -o "$LAB/pebble-root.pem" \
    "https://127.0.0.1:$PEBBLE_MGMT_PORT/roots/0"
  lcurl -f --cacert "$LAB/pebble/listener-ca.pem" -o "$LAB/pebble-intermediate.pem" \
    "https://127.0.0.1:$PEBBLE_MGMT_PORT/intermediates/0"
  grep -q 'BEGIN CERTIFICATE' "$LAB/pebble-root.pem" || die "pebble root not fetched"
  grep -q 'BEGIN CERTIFICATE' "$LAB/pebble-intermediate.pem" || die "pebble intermediate not fetched"
  log "pebble  pid $PID_pebble on 127.0.0.1:$PEBBLE_PORT (mgmt $PEBBLE_MGMT_PORT); root + intermediate saved"
  wait_until 5 "nginx" nginx lcurl -o /dev/null --resolve "valid.$ZONE:$HTTP_PORT:127.0.2.1" \
    "http://valid.$ZONE:$HTTP_PORT/"
  log "nginx   pid $PID_nginx (bootstrap config: valid's HTTP server for HTTP-01)"

  # the real certificate for valid.student.test: certbot's nginx authenticator + HTTP-01 via pebble
  local cb=$LAB/certbot
  if ! env REQUESTS_CA_BUNDLE="$LAB/pebble/listener-ca.pem" timeout 90 "$CERTBOT_BIN" certonly --nginx \
      --nginx-server-root "$LAB" --nginx-ctl "$NGINX_BIN" \
      --http-01-port "$HTTP_PORT" --https-port "$HTTPS_PORT" \
      --server "https://127.0.0.1:$PEBBLE_PORT/dir" \
      --config-dir "$cb/config" --work-dir "$cb/work" --logs-dir "$cb/logs" \
      --agree-tos -m "lab@$ZONE" --no-eff-email --non-interactive \
      --cert-name "valid.$ZONE" -d "valid.$ZONE" $(for a in $VALID_ALIASES; do printf -- '-d %s.%s ' "$a" "$ZONE"; done) \
      >"$LAB/logs/certbot.log" 2>&1; then
    tail -n 30 "$LAB/logs/certbot.log" >&2
    die "certbot failed; log: $LAB/logs/certbot.log"
  fi
  local live="$cb/config/live/valid.$ZONE"
  mkdir -p "$LAB/certs/valid"
  cp -L "$live/privkey.pem" "$LAB/certs/valid/key.pem"
  cp -L "$live/fullchain.pem" "$LAB/certs/valid/fullchain.pem"
  log "certbot certificate for valid.$ZONE issued by pebble ($live)"

  if ! wait "$CERTJOB"; then CERTJOB=""; cat "$LAB/logs/certs.log" >&2; die "making the test certificates failed"; fi
  CERTJOB=""
  cat "$LAB/pebble-root.pem" "$LAB/pebble-intermediate.pem" "$LAB/ca/root.pem" > "$LAB/ca-bundle.pem"
  log "certs   openssl test CA (root + intermediate) and fixture leaves; ca-bundle.pem written"

  # full config: every fixture; reload and wait until the new servers answer
  write_nginx_conf full
  "$NGINX_BIN" -c "$LAB/nginx.conf" -t >>"$LAB/logs/nginx.log" 2>&1 || { tail -n 5 "$LAB/logs/nginx.log" >&2; die "nginx -t failed"; }
  "$NGINX_BIN" -c "$LAB/nginx.conf" -s reload 2>>"$LAB/logs/nginx.log"
  wait_until 10 "nginx reload" nginx \
    lcurl -f -o /dev/null --cacert "$LAB/ca-bundle.pem" --resolve "valid.$ZONE:$HTTPS_PORT:127.0.2.1" \
      "https://valid.$ZONE:$HTTPS_PORT/health"
  openssl s_client -no-CAfile -no-CApath -no-CAstore -connect "127.0.2.1:$HTTPS_PORT" -servername "valid.$ZONE" \
      </dev/null 2>/dev/null | openssl x509 -noout -issuer | grep -q Pebble \
    || die "valid.$ZONE is not served with the pebble certificate"
  log "nginx   reloaded with all fixtures, config $LAB/nginx.conf"

  write_outputs

  # everything answers? (one request per listener)
  local f name ip expect
  for f in "${FIXTURES[@]}"; do
    IFS='|' read -r name ip expect _ <<<"$f"
    [ -n "$ip" ] || continue
    if [ "$name" = httpontls ]; then continue; fi
    lcurl -o /dev/null --connect-timeout 2 "http://$name.$ZONE:$HTTP_PORT/" --resolve "$name.$ZONE:$HTTP_PORT:$ip" \
      || die "$name: no answer on $ip:$HTTP_PORT"
    lcurl -o /dev/null -k --connect-timeout 2 "https://$name.$ZONE:$HTTPS_PORT/" --resolve "$name.$ZONE:$HTTPS_PORT:$ip" 2>/dev/null \
      || [ "$expect" = https_to_plain ] || die "$name: no answer on $ip:$HTTPS_PORT"
  done
  lcurl -f -o /dev/null --cacert "$LAB/ca-bundle.pem" --resolve "valid.$ZONE:$HTTPS_PORT:127.0.2.1" \
    "https://valid.$ZONE:$HTTPS_PORT/health" || die "valid: https://valid.$ZONE:$HTTPS_PORT/health does not verify"
  UP_OK=1
  log "up      all ${#FIXTURES[@]} fixtures answer; env: $LAB/lab.env, fixtures: $LAB/fixtures.json"
}

cmd_down() {
  [ -f "$LAB/pids" ] || { echo "[lab] down: no $LAB/pids, nothing to stop"; return 0; }
  local n p s targets=() names=()
  # stop in reverse start order; include nginx workers (children of the master)
  local lines=() i
  mapfile -t lines < "$LAB/pids"
  for (( i=${#lines[@]}-1; i>=0; i-- )); do
    read -r n p s <<<"${lines[$i]}"
    [ -n "${p:-}" ] || continue
    proc_alive "$p" "$s" || continue
    local c
    for c in $(children_of "$p"); do
      targets+=("$c:$(proc_starttime "$c" || echo x)"); names+=("$n-child")
    done
    targets+=("$p:$s"); names+=("$n")
    kill -TERM "$p" 2>/dev/null || true
  done
  if [ ${#targets[@]} -eq 0 ]; then echo "[lab] down: nothing running"; return 0; fi
  local deadline=$(( ${EPOCHREALTIME/./} + 8000000 )) left killed=0 t
  while :; do
    left=0
    for t in "${targets[@]}"; do if proc_alive "${t%%:*}" "${t#*:}"; then left=$((left + 1)); fi; done
    if [ $left -eq 0 ]; then break; fi
    if [ "${EPOCHREALTIME/./}" -gt "$deadline" ]; then
      if [ $killed = 1 ]; then echo "[lab] down: $left process(es) would not exit" >&2; return 1; fi
      for t in "${targets[@]}"; do if proc_alive "${t%%:*}" "${t#*:}"; then kill -KILL "${t%%:*}" 2>/dev/null || true; fi; done
      killed=1; deadline=$(( ${EPOCHREALTIME/./} + 3000000 ))
    fi
    sleep 0.05
  done
  # reap: our own children (only when a failed `up` cleans up) are waited for here; the others
  # were re-parented when `up` exited and are reaped by their new parent (PID 1 here, which
  # reaps every ~2 s). Wait until /proc/PID is gone (or holds a different process).
  wait 2>/dev/null || true
  deadline=$(( ${EPOCHREALTIME/./} + 10000000 ))
  local zombies
  while :; do
    zombies=""
    for t in "${targets[@]}"; do
      if [ "$(proc_starttime "${t%%:*}" 2>/dev/null)" = "${t#*:}" ]; then zombies+=" ${t%%:*}"; fi
    done
    if [ -z "$zombies" ] || [ "${EPOCHREALTIME/./}" -gt "$deadline" ]; then break; fi
    sleep 0.1
  done
  echo "[lab] down: stopped ${#targets[@]} process(es): ${names[*]}${zombies:+; exited but not yet reaped by their parent:$zombies}"
}

usage() { echo "usage: $0 up|down DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
LAB="$(cd "$2" 2>/dev/null && pwd)" || die "$2: no such directory"
case "$1" in
  up) cmd_up ;;
  down) cmd_down ;;
  *) usage ;;
esac

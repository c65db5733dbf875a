#!/usr/bin/env python3
"""Tiny backend for the lockstep HTTPS lab (python3 standard library only).

Run: python3 lab/backend.py [--host 127.0.0.1] [--port 18000]

Routes
  GET  /            200 small HTML page
  GET  /health      200 "ok"
  GET  /health500   500 "error"
  GET  /login       200, Set-Cookie: session=abc; Secure; HttpOnly; SameSite=None; Path=/
  GET  /badcookie   200, Set-Cookie: session=abc; SameSite=None   (no Secure, no HttpOnly)
  GET  /headers     200 JSON of the request headers (to see X-Forwarded-* set by nginx)
  GET  /api/*       200 JSON, with CORS headers for the allowed origin
  OPTIONS *         204 CORS preflight; Access-Control-Allow-Origin only for the allowed origin
  anything else     404
"""
import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALLOWED_ORIGIN = "https://www.student.test"
# The www fixture serves the frontend on the lab's HTTPS port, so its origin carries the port.
# (--https-port moves it; 18443 by default.)
ALLOWED_ORIGINS = {ALLOWED_ORIGIN, ALLOWED_ORIGIN + ":18443"}

INDEX_HTML = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>lockstep lab backend</title></head>
<body><h1>lockstep lab backend</h1><p>It works.</p></body></html>
"""


class Handler(BaseHTTPRequestHandler):
    server_version = "lockstep-lab-backend/1"
    sys_version = ""

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))
        sys.stderr.flush()

    def _send(self, status, body=b"", ctype="text/plain; charset=utf-8", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if status != 204:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD" and status != 204:
            self.wfile.write(body)

    def _cors(self):
        origin = self.headers.get("Origin")
        headers = [("Vary", "Origin")]
        if origin in ALLOWED_ORIGINS:
            headers.append(("Access-Control-Allow-Origin", origin))
            headers.append(("Access-Control-Allow-Credentials", "true"))
        return headers

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/":
            self._send(200, INDEX_HTML, "text/html; charset=utf-8")
        elif path == "/health":
            self._send(200, b"ok\n")
        elif path == "/health500":
            self._send(500, b"error\n")
        elif path == "/login":
            self._send(200, b"logged in\n", headers=[
                ("Set-Cookie", "session=abc; Secure; HttpOnly; SameSite=None; Path=/")])
        elif path == "/badcookie":
            self._send(200, b"bad cookie\n", headers=[("Set-Cookie", "session=abc; SameSite=None")])
        elif path == "/headers":
            body = json.dumps({k: v for k, v in self.headers.items()}, indent=1).encode() + b"\n"
            self._send(200, body, "application/json")
        elif path.startswith("/api/"):
            body = json.dumps({"ok": True, "path": path}).encode() + b"\n"
            self._send(200, body, "application/json", headers=self._cors())
        else:
            self._send(404, b"not found\n")

    do_HEAD = do_GET

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if path.startswith("/api/"):
            body = json.dumps({"ok": True, "path": path}).encode() + b"\n"
            self._send(200, body, "application/json", headers=self._cors())
        else:
            self._send(404, b"not found\n")

    def do_OPTIONS(self):
        # CORS on every path, as apps configure it globally (Spring `/**`, Express `app.use(cors())`);
        # the nocors/noopts fixtures break it in nginx for /api/ only.
        headers = self._cors()
        if any(k == "Access-Control-Allow-Origin" for k, _ in headers):
            headers += [
                ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS"),
                ("Access-Control-Allow-Headers", "Content-Type, Authorization"),
                ("Access-Control-Max-Age", "600"),
            ]
        self._send(204, headers=headers)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=18000)
    ap.add_argument("--https-port", type=int, default=18443)
    args = ap.parse_args()
    ALLOWED_ORIGINS.add(f"{ALLOWED_ORIGIN}:{args.https_port}")
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    srv = ThreadingHTTPServer((args.host, args.port), Handler)
    sys.stderr.write("backend listening on %s:%d\n" % (args.host, args.port))
    sys.stderr.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()


if __name__ == "__main__":
    main()

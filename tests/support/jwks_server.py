#!/usr/bin/python3
"""jwks_server.py PORT FILE — a stand-in for an identity provider's JWKS endpoint on 127.0.0.1:PORT, for the
API tests. GET /jwks answers 200 with FILE's current bytes as application/json (the test rewrites FILE
between steps, so it may serve garbage on purpose), or 503 while FILE does not exist. GET /count answers
the number of GET /jwks requests served so far, as text. Anything else is 404. Stops on SIGTERM."""
import http.server
import os
import signal
import sys
import threading

PORT, FILE = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()
fetches = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        """Serves /jwks (counted) and /count."""
        if self.path == "/count":
            with lock:
                body, status, ctype = str(fetches[0]).encode(), 200, "text/plain"
        elif self.path == "/jwks":
            with lock:
                fetches[0] += 1
            try:
                with open(FILE, "rb") as f:
                    body, status, ctype = f.read(), 200, "application/json"
            except FileNotFoundError:
                body, status, ctype = b"unavailable", 503, "text/plain"
        else:
            body, status, ctype = b"not found", 404, "text/plain"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        """Quiet: the test reads /count, not a log."""


server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
print(f"jwks server on 127.0.0.1:{PORT} serving {FILE}", flush=True)
server.serve_forever()
server.server_close()
os._exit(0)

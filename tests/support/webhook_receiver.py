#!/usr/bin/python3
"""webhook_receiver.py PORT SECRET LOG [FAIL_FIRST]

A webhook receiver on 127.0.0.1:PORT for the API tests. It verifies each delivery's Standard Webhooks
signature with its own code (Python's hmac, not tutord's): HMAC-SHA256 keyed with the base64 part of
SECRET ("whsec_..."), over "<webhook-id>.<webhook-timestamp>.<body>", compared with every "v1,<base64>"
in webhook-signature, and the timestamp within five minutes. It answers 503 to the first FAIL_FIRST
deliveries (failing on purpose), then 204, and appends one JSON line per request to LOG:
{"id", "timestamp", "valid", "status", "body"}. Stops on SIGTERM.
"""
import base64
import hashlib
import hmac
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

PORT, SECRET, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3]
FAIL_FIRST = int(sys.argv[4]) if len(sys.argv) > 4 else 0
KEY = base64.b64decode(SECRET[len("whsec_"):])
seen = 0


def verify(msg_id, timestamp, body, header):
    """True when one of the header's v1 signatures matches and the timestamp is recent."""
    try:
        if abs(time.time() - int(timestamp)) > 300:
            return False
    except ValueError:
        return False
    mac = hmac.new(KEY, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    expected = base64.b64encode(mac).decode()
    for part in header.split():
        version, _, sig = part.partition(",")
        if version == "v1" and hmac.compare_digest(sig, expected):
            return True
    return False


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global seen
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        msg_id = self.headers.get("webhook-id", "")
        timestamp = self.headers.get("webhook-timestamp", "")
        valid = verify(msg_id, timestamp, body, self.headers.get("webhook-signature", ""))
        seen += 1
        status = 503 if seen <= FAIL_FIRST else (204 if valid else 401)
        with open(LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps({"id": msg_id, "timestamp": timestamp, "valid": valid, "status": status,
                                  "body": body.decode("utf-8", "replace")}) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()

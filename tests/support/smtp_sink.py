#!/usr/bin/python3
"""smtp_sink.py PORT DIR — a real SMTP server (aiosmtpd) on 127.0.0.1:PORT that writes each message it
receives to DIR/<n>.eml, preceded by an "X-Rcpt-To: <recipients>" line; the file appears whole (written
to a temporary name, then renamed). It refuses (550) recipients whose address starts with "reject-". For the API tests and the demo's outgoing mail. Stops on SIGTERM."""
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller

PORT, DIR = int(sys.argv[1]), sys.argv[2]
os.makedirs(DIR, exist_ok=True)
lock = threading.Lock()
count = [len(os.listdir(DIR))]


class Sink:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Refuses for good (550) any recipient whose address starts with "reject-"."""
        if address.startswith("reject-"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with lock:
            count[0] += 1
            n = count[0]
        tmp, final = os.path.join(DIR, f".{n}.tmp"), os.path.join(DIR, f"{n:06d}.eml")
        with open(tmp, "wb") as f:
            f.write(b"X-Rcpt-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, final)
        return "250 Message accepted for delivery"


controller = Controller(Sink(), hostname="127.0.0.1", port=PORT)
controller.start()
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
signal.signal(signal.SIGINT, lambda *_: stop.set())
print(f"smtp sink listening on 127.0.0.1:{PORT}, writing to {DIR}", flush=True)
stop.wait()
controller.stop()

"""An HTTP receiver of lnotify's server-to-server requests, as a notification
service would run it: it checks each request's signature (HMAC-SHA256 over
id, timestamp and body, doc/server-to-server.md) and its
timestamp against a replay window, de-duplicates by (user, sequence-id) per
path, and records what arrived in order. Started and stopped by the tests on
127.0.0.1; it can go away (connection refused) and come back on its port."""

import hashlib
import hmac
import http.server
import json
import threading
import time

REPLAY_WINDOW = 300  # seconds either side of the receiver's clock


class Receiver:
    def __init__(self, secret, port):
        self.secret = secret.encode()
        self.port = port
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.arrivals = []   # every request: (path, id, body dict or None, status answered)
        self.accepted = {}   # path -> [body], first copy of each (user, sequence-id)
        self.seen = set()
        self.rejected = []   # (reason, headers) of requests that failed verification
        # path -> statuses to answer next on that path, in order (then 200).
        # Keyed by path so that which of two targets (which post to different
        # paths) asks first never decides which one gets a scripted answer.
        self.answers = {}
        self.server = None
        self.thread = None

    # ---- life cycle ---------------------------------------------------

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                receiver._handle(self)

            def log_message(self, *args):
                pass

        http.server.HTTPServer.allow_reuse_address = True
        self.server = http.server.HTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        """Closes the listening socket: connections are refused until start()."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    # ---- what it does with a request ----------------------------------

    def verify(self, headers, body):
        """Returns None when the request is authentic and fresh, else why not."""
        rid = headers.get("X-Lnotify-Id")
        ts = headers.get("X-Lnotify-Timestamp")
        sig = headers.get("X-Lnotify-Signature")
        if not rid or not ts or not sig:
            return "missing signature headers"
        if not ts.isdigit() or abs(int(ts) - time.time()) > REPLAY_WINDOW:
            return "timestamp outside the replay window"
        expected = "v1=" + hmac.new(self.secret, f"{rid}.{ts}.".encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, sig):
            return "bad signature"
        return None

    def _handle(self, handler):
        length = int(handler.headers.get("Content-Length", "0"))
        body = handler.rfile.read(length)
        problem = self.verify(handler.headers, body)
        with self.lock:
            if problem is not None:
                self.rejected.append((problem, dict(handler.headers)))
                status = 401
                doc = None
            else:
                doc = json.loads(body)
                scripted = self.answers.get(handler.path)
                status = scripted.pop(0) if scripted else 200
                key = (handler.path, doc["user"], doc["sequence-id"])
                if 200 <= status < 300 and key not in self.seen:
                    self.seen.add(key)
                    self.accepted.setdefault(handler.path, []).append(doc)
            self.arrivals.append((handler.path, handler.headers.get("X-Lnotify-Id"), doc, status))
            self.changed.notify_all()
        handler.send_response(status)
        handler.send_header("Content-Type", "text/plain")
        answer = b"ok" if status < 300 else b"refused: unknown event attribute"
        handler.send_header("Content-Length", str(len(answer)))
        handler.end_headers()
        handler.wfile.write(answer)

    def wait_for(self, path, count, timeout=20.0):
        """The accepted requests on path once there are count of them (or
        what there is when the time is up)."""
        deadline = time.time() + timeout
        with self.lock:
            while len(self.accepted.get(path, [])) < count and time.time() < deadline:
                self.changed.wait(0.2)
            return list(self.accepted.get(path, []))

    def accepted_on(self, path):
        with self.lock:
            return list(self.accepted.get(path, []))

    def arrivals_on(self, path):
        with self.lock:
            return [a for a in self.arrivals if a[0] == path]

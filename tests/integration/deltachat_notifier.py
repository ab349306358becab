"""A local stand-in for Delta Chat's notification proxy
(https://notifications.delta.chat/notify, chatmail/notifiers): an HTTP
server on 127.0.0.1 that records every POST body (the raw device token)
and answers per token what the test scripted, in order (default 200).
Deterministic: the answer depends only on the token and how many times it
was POSTed, never on timing."""

import http.server
import threading

from lnotify_harness import free_port


class DeltaChatNotifier:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/notify"
        self._lock = threading.Condition()
        self._script = {}
        self.requests = []  # (path, headers, body) in arrival order
        notifier = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                status = notifier._record(self.path, dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def answer(self, token, *statuses):
        """The statuses for the next POSTs of token, in order; then 200."""
        with self._lock:
            self._script.setdefault(token.encode(), []).extend(statuses)

    def _record(self, path, headers, body):
        with self._lock:
            self.requests.append((path, headers, body))
            queue = self._script.get(body, [])
            status = queue.pop(0) if queue else 200
            self._lock.notify_all()
            return status

    def bodies(self):
        with self._lock:
            return [body.decode() for _, _, body in self.requests]

    def wait_for(self, count, timeout=20.0):
        """Waits until at least count requests arrived; returns the bodies."""
        with self._lock:
            self._lock.wait_for(lambda: len(self.requests) >= count, timeout)
            return [body.decode() for _, _, body in self.requests]

"""npm's web-push-testing as a real, independent Web Push service for the
tests: it creates subscriptions (with an applicationServerKey), checks the
VAPID token of every push (ES256, RFC 8292), decrypts the aes128gcm body
(RFC 8291) and keeps the plaintext; it answers 410 for a subscription the
test expired.

scripts/install-deps.sh installs it with npm into LNOTIFY_NPM_PREFIX
(default /var/cache/lnotify-test-npm). A missing package is an error, not a
skip: CI must run these tests.

Its HTTP API (src/server.js): POST /subscribe {applicationServerKey,
userVisibleOnly} -> {data: {endpoint, keys: {p256dh, auth}, clientHash}};
POST /get-notifications {clientHash} -> {data: {messages: [...]}};
POST /expire-subscription/<clientHash>. Endpoints are
http://localhost:<port>/notify/<clientHash>. It listens on every interface
(the package has no option to bind one); the port is a free one.
"""

import json
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

NPM_PREFIX = os.environ.get("LNOTIFY_NPM_PREFIX", "/var/cache/lnotify-test-npm")
SERVER_JS = os.path.join(NPM_PREFIX, "node_modules", "web-push-testing", "src", "bin", "server.js")


class WebPushTesting:
    def __init__(self, port):
        if not os.path.exists(SERVER_JS):
            raise RuntimeError(f"{SERVER_JS} is missing: run scripts/install-deps.sh "
                               "(npm install --prefix {NPM_PREFIX} web-push-testing)")
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.dir = tempfile.mkdtemp(prefix="lnotify-webpush-")
        self.log_path = os.path.join(self.dir, "service.log")
        self.process = None

    def start(self, timeout=20.0):
        # server.js directly (not the CLI, which detaches a daemon): this
        # process is the service, and stopping it is a kill of its pid.
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(["node", SERVER_JS, str(self.port)], cwd=self.dir,
                                        stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"web-push-testing exited: {self.log()}")
            try:
                self._post("/status", {}, expect_json=False)
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        raise RuntimeError(f"web-push-testing did not answer on port {self.port}: {self.log()}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def _post(self, path, body, expect_json=True):
        request = urllib.request.Request(self.base + path, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            data = answer.read()
        return json.loads(data) if expect_json else data

    def subscribe(self, application_server_key):
        """A new subscription: {endpoint, keys: {p256dh, auth}, clientHash}."""
        answer = self._post("/subscribe", {"applicationServerKey": application_server_key,
                                           "userVisibleOnly": "true"})
        return answer["data"]

    def notifications(self, client_hash):
        """The decrypted payloads received for the subscription, in order."""
        return self._post("/get-notifications", {"clientHash": client_hash})["data"]["messages"]

    def wait_for_notifications(self, client_hash, count, timeout=15.0):
        deadline = time.time() + timeout
        while True:
            messages = self.notifications(client_hash)
            if len(messages) >= count or time.time() > deadline:
                return messages
            time.sleep(0.1)

    def expire(self, client_hash):
        self._post(f"/expire-subscription/{client_hash}", {}, expect_json=False)

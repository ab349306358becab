"""A real Prosody XMPP server for the tests, in a temporary directory on a
free loopback port (recipe: shared notes "Prosody 0.12.3 with two
accounts"). Its certificate for "localhost" is signed by a CA made for the
test, so clients verify it instead of switching verification off.

Prosody refuses to run as root: it runs as the prosody user, which owns
its data, run and certs directories.
"""

import os
import pwd
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
import time

from lnotify_harness import free_port, terminate

DOMAIN = "localhost"
HERE = os.path.dirname(os.path.abspath(__file__))
# python3-slixmpp is installed for Debian's interpreter only.
SYSTEM_PYTHON = "/usr/bin/python3"

CONFIG = """-- Written by tests/integration/prosody_peer.py; nothing from /etc/prosody is read.
pidfile = "{root}/run/prosody.pid"
data_path = "{root}/data"
certificates = "{root}/certs"
log = {{ debug = "{root}/run/prosody.log" }}
interfaces = {{ "127.0.0.1" }}
local_interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {port} }}
c2s_direct_tls_ports = {{ }}
s2s_ports = {{ }}
http_ports = {{ }}
https_ports = {{ }}
admins = {{ }}
-- offline: stores type="normal" and "chat" messages for an offline account
modules_enabled = {{ "roster", "saslauth", "tls", "disco", "ping", "posix", "offline" }}
modules_disabled = {{ "s2s" }}
authentication = "internal_hashed"
storage = "internal"
c2s_require_encryption = true
allow_unencrypted_plain_auth = false
VirtualHost "{domain}"
"""


def _openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


class Prosody:
    def __init__(self, accounts):
        """accounts: {"bob": "bobpw", ...} on DOMAIN."""
        for tool in ("prosody", "prosodyctl", "openssl", SYSTEM_PYTHON):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is missing: run scripts/install-deps.sh")
        self.root = tempfile.mkdtemp(prefix="lnotify-prosody-", dir="/tmp")
        os.chmod(self.root, 0o755)
        self.port = free_port()
        self.process = None
        self.conf = os.path.join(self.root, "prosody.cfg.lua")
        self.log_path = os.path.join(self.root, "run", "prosody.log")
        for d in ("data", "run", "certs"):
            os.makedirs(os.path.join(self.root, d))
        self._make_certificates()
        with open(self.conf, "w") as f:
            f.write(CONFIG.format(root=self.root, port=self.port, domain=DOMAIN))
        user = pwd.getpwnam("prosody")
        for d in ("data", "run", "certs"):
            path = os.path.join(self.root, d)
            for dirpath, _, files in os.walk(path):
                os.chown(dirpath, user.pw_uid, user.pw_gid)
                for name in files:
                    os.chown(os.path.join(dirpath, name), user.pw_uid, user.pw_gid)
        for name, password in accounts.items():
            subprocess.run(["prosodyctl", "--config", self.conf, "register", name, DOMAIN, password],
                           check=True, capture_output=True, timeout=60)

    def _make_certificates(self):
        certs = os.path.join(self.root, "certs")
        self.ca_file = os.path.join(self.root, "ca.crt")
        ca_key = os.path.join(self.root, "ca.key")
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                 "/CN=lnotify test CA", "-keyout", ca_key, "-out", self.ca_file)
        key = os.path.join(certs, f"{DOMAIN}.key")
        csr = os.path.join(self.root, "server.csr")
        ext = os.path.join(self.root, "server.ext")
        with open(ext, "w") as f:
            f.write(f"subjectAltName=DNS:{DOMAIN}\n")
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={DOMAIN}", "-keyout", key,
                 "-out", csr)
        _openssl("x509", "-req", "-in", csr, "-CA", self.ca_file, "-CAkey", ca_key,
                 "-CAcreateserial", "-days", "2", "-extfile", ext,
                 "-out", os.path.join(certs, f"{DOMAIN}.crt"))
        os.chmod(self.ca_file, 0o644)
        os.chmod(key, 0o600)

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def start(self, timeout=15.0):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", self.port)) == 0:
                raise RuntimeError(f"port {self.port} is taken: Prosody cannot listen there")
        stdout = open(os.path.join(self.root, "stdout"), "ab")
        self.process = subprocess.Popen(
            ["setpriv", "--reuid=prosody", "--regid=prosody", "--init-groups",
             "prosody", "-F", "--config", self.conf],
            stdout=stdout, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        stdout.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prosody exited ({self.process.returncode}):\n{self.log()}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("prosody did not listen in time:\n" + self.log())

    def stop(self):
        terminate(self.process, 10)
        self.process = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def receiver(self, user, password):
        """Logs user in with a real client; returns a Receiver once it is
        online (its initial presence sent)."""
        return Receiver(self, f"{user}@{DOMAIN}", password)


class Receiver:
    """xmpp_receiver.py (slixmpp) in a child process; its stanzas are read
    from a thread into a queue."""

    def __init__(self, prosody, jid, password, timeout=20.0):
        self.lines = queue.Queue()
        self.process = subprocess.Popen(
            [SYSTEM_PYTHON, os.path.join(HERE, "xmpp_receiver.py"), jid, password, prosody.address,
             prosody.ca_file],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        self.errors = []
        threading.Thread(target=self._read, args=(self.process.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._collect, daemon=True).start()
        # Stored (offline) messages may come before READY: they are kept.
        self.early = []
        deadline = time.monotonic() + timeout
        line = ""
        while line is not None and line != "READY":
            line = self.next_line(max(0.0, deadline - time.monotonic()))
            if line is not None and line.startswith("<message"):
                self.early.append(line)
        if line != "READY":
            self.close()
            raise RuntimeError(f"XMPP receiver {jid} did not come online "
                               f"{''.join(self.errors)[-2000:]}")

    @staticmethod
    def _read(stream, lines):
        for line in stream:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    def _collect(self):
        for line in self.process.stderr:
            self.errors.append(line)

    def next_line(self, timeout):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def next_message(self, timeout=20.0):
        """The next message stanza as XML text, or None."""
        if self.early:
            return self.early.pop(0)
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            line = self.next_line(left)
            if line is None:
                return None
            if line.startswith("<message"):
                return line
        return None

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            stream.close()

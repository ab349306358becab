"""Kannel 1.4 as the SMS gateway of the tests: bearerbox, smsbox (whose
sendsms interface lnotify calls) and fakesmsc (kannel-extras), the fake
SMSC that prints every SMS it receives. Everything on 127.0.0.1 on free
ports in a temporary directory; stopped (admin /shutdown, then signals)
by stop().

The fake SMSC link is bearerbox listening on 0.0.0.0 (the fake driver has
no interface option), with connect-allow-ip limiting it to 127.0.0.1.

A missing Kannel is a failure, not a skip: scripts/install-deps.sh installs
kannel and kannel-extras.
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

from lnotify_harness import free_port

BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
USERNAME = "tester"
PASSWORD = "testpw"

CONF = """\
group = core
admin-port = {admin_port}
admin-interface = 127.0.0.1
admin-password = adminpw
status-password = statuspw
admin-allow-ip = "127.0.0.1"
smsbox-port = {smsbox_port}
smsbox-interface = 127.0.0.1
box-deny-ip = "*.*.*.*"
box-allow-ip = "127.0.0.1"
log-file = "{root}/bearerbox.log"
log-level = 0
access-log = "{root}/access.log"
store-type = file
store-location = "{root}/store"

group = smsc
smsc = fake
smsc-id = FAKE
port = {smsc_port}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {smsbox_port}
sendsms-port = {sendsms_port}
sendsms-interface = 127.0.0.1
global-sender = 12345
log-file = "{root}/smsbox.log"
log-level = 0
access-log = "{root}/smsbox-access.log"

group = sendsms-user
username = {username}
password = {password}
max-messages = 10
concatenation = true

group = sms-service
keyword = default
text = "no service"
omit-empty = true
"""

# fakesmsc: "Got message N: <from to udh UDH data DATA>" (binary) or
# "<from to text TEXT>", URL-encoded with "+" for a space ("%2B" for "+").
GOT_RE = re.compile(r"Got message \d+: <(\S+) (\S+) (?:udh (\S*) data (\S*)|text (.*))>$")


def form_decode(text):
    return urllib.parse.unquote_to_bytes(text.replace("+", " "))


def require_kannel():
    missing = [p for p in (BEARERBOX, SMSBOX, FAKESMSC) if not os.access(p, os.X_OK)]
    if missing:
        raise AssertionError(f"Kannel is not installed ({', '.join(missing)} missing): "
                             "bash scripts/install-deps.sh installs kannel and kannel-extras")


class ReceivedSms:
    def __init__(self, sender, receiver, udh, data, text):
        self.sender = sender
        self.receiver = receiver
        self.udh = udh      # bytes, or None for a text SMS
        self.data = data    # bytes (binary user data after the UDH), or None
        self.text = text    # str for a text SMS

    def __repr__(self):
        return (f"ReceivedSms({self.sender} -> {self.receiver}, udh={self.udh and self.udh.hex()}, "
                f"data={self.data and self.data.hex()}, text={self.text!r})")


class Kannel:
    def __init__(self, sendsms_port=None):
        require_kannel()
        self.root = tempfile.mkdtemp(prefix="lnotify-kannel-", dir="/tmp")
        os.makedirs(os.path.join(self.root, "store"))
        self.admin_port = free_port()
        self.smsbox_port = free_port()
        self.smsc_port = free_port()
        self.sendsms_port = sendsms_port or free_port()
        self.conf = os.path.join(self.root, "kannel.conf")
        with open(self.conf, "w") as f:
            f.write(CONF.format(root=self.root, admin_port=self.admin_port,
                                smsbox_port=self.smsbox_port, smsc_port=self.smsc_port,
                                sendsms_port=self.sendsms_port, username=USERNAME,
                                password=PASSWORD))
        self.processes = []
        self.fakesmsc_out = os.path.join(self.root, "fakesmsc.out")

    @property
    def sendsms_url(self):
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    def _spawn(self, name, *args):
        out = open(os.path.join(self.root, f"{name}.stdout"), "wb")
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=self.root,
                                   start_new_session=True)
        out.close()
        self.processes.append(process)
        return process

    def _http(self, url, timeout=2):
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return reply.read().decode(errors="replace")

    def start(self, timeout=15.0):
        self._spawn("bearerbox", BEARERBOX, self.conf)
        self._wait(lambda: self._status() is not None, timeout, "bearerbox admin port")
        self._spawn("smsbox", SMSBOX, self.conf)
        out = open(self.fakesmsc_out, "wb")
        # -m 0: send no mobile-originated messages; the last argument is
        # their (unused) template.
        self.processes.append(subprocess.Popen(
            [FAKESMSC, "-H", "127.0.0.1", "-r", str(self.smsc_port), "-m", "0",
             "100 200 text unused"], stdout=out, stderr=subprocess.STDOUT, cwd=self.root,
            start_new_session=True))
        out.close()
        self._wait(lambda: "FAKE:" in (self._status() or "") and "online" in self._status(),
                   timeout, "the fake SMSC online")
        self._wait(self._sendsms_listens, timeout, "smsbox sendsms port")
        return self

    def _sendsms_listens(self):
        import socket
        try:
            socket.create_connection(("127.0.0.1", self.sendsms_port), timeout=0.5).close()
            return True
        except OSError:
            return False

    def _status(self):
        try:
            return self._http(f"http://127.0.0.1:{self.admin_port}/status.txt?password=statuspw")
        except OSError:
            return None

    def _wait(self, condition, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for p in self.processes:
                if p.poll() is not None:
                    raise AssertionError(f"Kannel process {p.args[0]} exited ({p.returncode}) "
                                         f"waiting for {what}:\n{self.logs()}")
            if condition():
                return
            time.sleep(0.05)
        raise AssertionError(f"Kannel: timed out waiting for {what}:\n{self.logs()}")

    def received(self):
        """Every SMS fakesmsc printed so far, in order."""
        if not os.path.exists(self.fakesmsc_out):
            return []
        with open(self.fakesmsc_out, errors="replace") as f:
            lines = f.read().splitlines()
        out = []
        for line in lines:
            m = GOT_RE.search(line)
            if not m:
                continue
            sender, receiver, udh, data, text = m.groups()
            if text is not None:
                out.append(ReceivedSms(sender, receiver, None, None, urllib.parse.unquote_plus(text)))
            else:
                out.append(ReceivedSms(sender, receiver, form_decode(udh), form_decode(data), None))
        return out

    def wait_received(self, count, timeout=15.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.received()
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError(f"fakesmsc received {len(self.received())} SMS, expected {count}:\n"
                             f"{self.logs()}")

    def logs(self):
        parts = []
        for name in ("bearerbox.log", "smsbox.log", "smsbox-access.log", "fakesmsc.out",
                     "bearerbox.stdout", "smsbox.stdout"):
            path = os.path.join(self.root, name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    parts.append(f"--- {name} ---\n" + f.read()[-4000:])
        return "\n".join(parts)

    def stop(self):
        if not self.processes:
            return
        try:
            self._http(f"http://127.0.0.1:{self.admin_port}/shutdown?password=adminpw")
        except OSError:
            pass
        deadline = time.time() + 5
        for p in self.processes:
            try:
                p.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.processes = []

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

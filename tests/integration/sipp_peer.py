"""sipp (Debian package sip-tester) as a real SIP UAS for the tests.

A test writes its scenario (see uas_scenario()), SippUas starts sipp on
127.0.0.1 on a free port in a temporary directory, and afterwards the test
reads sipp's exit status and the requests sipp logged (-trace_msg), one
entry per received copy, retransmissions included.

A missing sipp is an error, not a skip: CI installs it (scripts/install-deps.sh).
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

SIPP = shutil.which("sipp") or "/usr/bin/sipp"

# The 200/4xx a UAS sends back: the headers RFC 3261 §8.2.6.2 says to copy.
_ANSWER = """  <send>
    <![CDATA[

      SIP/2.0 {status}
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
"""


def uas_scenario(method="MESSAGE", status="200 OK", body_regexp=None, wait_ms=0):
    """A UAS scenario: receive one request, check its body against
    body_regexp (an <ereg check_it="true">: a mismatch fails the call and
    sipp exits 1), log Content-Type and body, answer status (None: never
    answer), then pause wait_ms (to catch retransmissions or retries)."""
    checks = ""
    logged = "ct=[$ct]"
    if body_regexp is not None:
        checks = (f'      <ereg regexp="{_xml(body_regexp)}" search_in="body" check_it="true" '
                  f'assign_to="checked"/>\n')
        logged += " checked=[$checked]"
    text = f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="lnotify {method} UAS">
  <recv request="{method}" crlf="true">
    <action>
      <ereg regexp="Content-Type:[^\\r\\n]*" search_in="msg" check_it="true" assign_to="ct"/>
{checks}      <log message="{method} {logged}"/>
    </action>
  </recv>
"""
    if status is not None:
        text += _ANSWER.format(status=status)
    if wait_ms:
        text += f'  <pause milliseconds="{wait_ms}"/>\n'
    return text + "</scenario>\n"


def digest_uas_scenario(username, password, realm="example.test"):
    """A UAS behind Digest authentication: the first MESSAGE gets a 401 with
    a challenge (qop=auth); the next one is checked by sipp's own
    <verifyauth> against username and password, logged as auth=true/false,
    and answered 200 when valid, else with a second 401."""
    challenge = f'WWW-Authenticate: Digest realm="{realm}", nonce="[pid]n[call_number]", qop="auth"'
    challenged = _ANSWER.format(status="401 Unauthorized").replace(
        "      Content-Length: 0\n", f"      {challenge}\n      Content-Length: 0\n")
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="lnotify MESSAGE UAS with Digest authentication">
  <recv request="MESSAGE" crlf="true"/>
{challenged}  <recv request="MESSAGE" crlf="true">
    <action>
      <verifyauth assign_to="authvalid" username="{_xml(username)}" password="{_xml(password)}"/>
      <log message="MESSAGE auth=[$authvalid]"/>
    </action>
  </recv>
  <nop hide="true" test="authvalid" next="valid"/>
{challenged}  <nop hide="true" next="done"/>
  <label id="valid"/>
{_ANSWER.format(status="200 OK")}  <label id="done"/>
</scenario>
"""


def _xml(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _free_port(kind):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SippUas:
    def __init__(self, scenario, transport="udp", calls=1, timeout_s=30, port=None):
        """port: listen there (a peer taking over from an earlier one whose
        address a configuration names); default: a free port."""
        if not os.path.exists(SIPP):
            raise RuntimeError("sipp is missing: install sip-tester (scripts/install-deps.sh)")
        self.transport = transport
        self.dir = tempfile.mkdtemp(prefix="sipp-", dir="/tmp")
        self.port = port or _free_port(socket.SOCK_DGRAM if transport == "udp" else socket.SOCK_STREAM)
        self.scenario_path = os.path.join(self.dir, "uas.xml")
        with open(self.scenario_path, "w") as f:
            f.write(scenario)
        self.message_file = os.path.join(self.dir, "messages.log")
        self.log_file = os.path.join(self.dir, "actions.log")
        self.error_file = os.path.join(self.dir, "errors.log")
        self.stdout_path = os.path.join(self.dir, "stdout")
        self.stdout = open(self.stdout_path, "w")
        self.process = subprocess.Popen(
            [SIPP, "-sf", self.scenario_path, "-i", "127.0.0.1", "-p", str(self.port),
             "-t", "u1" if transport == "udp" else "t1", "-m", str(calls), "-nostdin",
             "-timeout", str(timeout_s), "-timeout_error",
             "-trace_msg", "-message_file", self.message_file,
             "-trace_logs", "-log_file", self.log_file,
             "-trace_err", "-error_file", self.error_file],
            cwd=self.dir, stdout=self.stdout, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self._wait_listening()

    @property
    def uri_host(self):
        return f"127.0.0.1:{self.port}"

    def _wait_listening(self, timeout=10.0):
        proto = "-Hlun" if self.transport == "udp" else "-Hltn"
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sipp exited with {self.process.returncode}: {self.output()}")
            out = subprocess.run(["ss", proto, f"sport = :{self.port}"], capture_output=True, text=True).stdout
            if out.strip():
                return
            time.sleep(0.02)
        raise RuntimeError(f"sipp did not bind 127.0.0.1:{self.port}: {self.output()}")

    def wait(self, timeout):
        """sipp's exit status, or None if it is still running after timeout."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stdout.close()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _read(self, path):
        try:
            with open(path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def output(self):
        return (f"[stdout]\n{self._read(self.stdout_path)[-3000:]}\n[errors]\n{self._read(self.error_file)}"
                f"\n[actions]\n{self._read(self.log_file)}")

    def actions(self):
        return self._read(self.log_file)

    def received(self):
        """Every request sipp received, in order, each copy on its own, as
        (start line, {header name lower-case: value}, body)."""
        text = self._read(self.message_file).replace("\r\n", "\n")
        out = []
        for block in re.split(r"(?m)^-{20,} .*\n", text):
            m = re.match(r"(UDP|TCP) message received \[(\d+)\] bytes :\n\n", block)
            if not m:
                continue
            msg = block[m.end():]
            head, _, body = msg.partition("\n\n")
            lines = head.split("\n")
            if lines[0].startswith("SIP/2.0"):
                continue  # a response (sipp as UAS receives none here)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers.setdefault(name.strip().lower(), value.strip())
            out.append((lines[0], headers, body.rstrip("\n")))
        return out

    @staticmethod
    def branch(headers):
        m = re.search(r"branch=([^;,\s]+)", headers.get("via", ""))
        return m.group(1) if m else None

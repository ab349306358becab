"""Issue 25: the IMAP WEBPUSH extension (draft-gougeon-imap-webpush-03), as a
UnifiedPush mail client uses it: GETVAPID, subscribe at the push service
with that key, WEBPUSH, read the validation push, ACKWEBPUSH, then mail
reaches the subscription. The push service is npm's web-push-testing (it
checks the VAPID token and decrypts, webpush_peer.py) or, where a test needs
scripted answers (429), a small HTTP server here whose bodies the test
decrypts itself with Python's cryptography (RFC 8291, independently of
lnotify's code)."""

import http.server
import os
import re
import socket
import subprocess
import threading
import time
import unittest
import xml.etree.ElementTree as ET

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from lnotify_harness import RawImap, sample_message
from test_channel_webpush import VAPID_KEY, WebPushCase
import base64

ACK_RE = re.compile(r'^ACKWEBPUSH "([^"]+)" "([0-9a-f]{32})"$')


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Device:
    """A subscriber's keys (RFC 8291 §2), and decryption of what it receives."""

    def __init__(self):
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.public = self.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.auth = os.urandom(16)

    def decrypt(self, body):
        # RFC 8188 §2.1 header: salt(16) rs(4) idlen(1) keyid(idlen = the
        # sender's public key, RFC 8291 §4)
        salt, idlen = body[:16], body[20]
        sender = body[21:21 + idlen]
        shared = self.private.exchange(
            ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender))
        ikm = HKDF(hashes.SHA256(), 32, self.auth,
                   b"WebPush: info\x00" + self.public + sender).derive(shared)
        cek = HKDF(hashes.SHA256(), 16, salt, b"Content-Encoding: aes128gcm\x00").derive(ikm)
        nonce = HKDF(hashes.SHA256(), 12, salt, b"Content-Encoding: nonce\x00").derive(ikm)
        plain = AESGCM(cek).decrypt(nonce, body[21 + idlen:], None).rstrip(b"\x00")
        assert plain.endswith(b"\x02"), "the last record ends with delimiter 2"
        return plain[:-1].decode()


class ScriptedPushService:
    """A push service that answers from a script (then 201) and keeps every
    request. Dual-stack, so "localhost" reaches it by either address."""

    def __init__(self):
        self.requests = []
        self.script = []
        self.lock = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.lock:
                    outer.requests.append((time.monotonic(), self.path, dict(self.headers), body))
                    status, headers = outer.script.pop(0) if outer.script else (201, {})
                    outer.lock.notify_all()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            address_family = socket.AF_INET6

            def server_bind(self):
                self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                super().server_bind()

        self.server = Server(("::", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count, timeout=20.0):
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.requests) < count and time.monotonic() < deadline:
                self.lock.wait(deadline - time.monotonic())
            return list(self.requests)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Session(RawImap):
    def run(self, text):
        """(untagged lines, tagged line), whatever the result."""
        self.tag += 1
        tag = f"w{self.tag}"
        self.sock.sendall(f"{tag} {text}\r\n".encode())
        untagged = []
        while True:
            line = self.line(timeout=30)
            if line is None:
                raise TimeoutError(f"no reply to {text}")
            if line.startswith(tag + " "):
                return untagged, line[len(tag) + 1:].strip()
            untagged.append(line.strip())


class ImapWebPush(WebPushCase):
    def setUp(self):
        # a backoff shorter than the Retry-After the tests script, so the
        # wait they see is the push service's
        self.extra_dispatch = {"retry_base": "1"}
        super().setUp()

    def session(self):
        s = Session(self.dovecot.imap_port, "alice")
        self.addCleanup(s.close)
        return s

    def ok(self, session, command):
        untagged, tagged = session.run(command)
        self.assertTrue(tagged.startswith("OK"), f"{command}: {tagged}\n{self.dovecot.log()}")
        return untagged

    def getvapid(self, session):
        untagged = self.ok(session, "GETVAPID")
        [line] = [u for u in untagged if u.startswith("* VAPID ")]
        return re.fullmatch(r'\* VAPID "([A-Za-z0-9_-]+)"', line).group(1)

    def webpush(self, session, sid, endpoint, p256dh, auth):
        untagged = self.ok(session, f'WEBPUSH "{sid}" "{endpoint}" "{p256dh}" "{auth}"')
        self.assertIn(f'* WEBPUSH "{sid}" INACTIVE', untagged)
        self.assertTrue(any(u.startswith("* VAPID ") for u in untagged), untagged)
        return untagged

    def register(self, session, sid):
        """GETVAPID, a subscription at web-push-testing, WEBPUSH; returns the
        subscription and the validation push's text."""
        key = self.getvapid(session)
        subscription = self.service.subscribe(key)
        self.webpush(session, sid, subscription["endpoint"], subscription["keys"]["p256dh"],
                     subscription["keys"]["auth"])
        [validation] = self.service.wait_for_notifications(subscription["clientHash"], 1)
        return subscription, validation

    def test_capability_and_vapid_key(self):
        s = self.session()
        untagged = self.ok(s, "CAPABILITY")
        self.assertIn("WEBPUSH", untagged[0].split())
        key = self.getvapid(s)
        self.assertEqual(key, self.get("", VAPID_KEY), "the same key as the METADATA entry")
        self.assertEqual(len(unb64url(key)), 65)
        _, tagged = s.run("GETVAPID extra")
        self.assertTrue(tagged.startswith("BAD"), tagged)

    def test_validation_then_acknowledged_delivery(self):
        s = self.session()
        subscription, validation = self.register(s, "phone-1")
        m = ACK_RE.match(validation)
        self.assertIsNotNone(m, validation)
        self.assertEqual(m.group(1), "phone-1")

        # Not acknowledged yet: this mail is not sent to the subscription.
        self.dovecot.deliver_lmtp(message=sample_message(subject="Before the ack"))
        _, tagged = s.run(f'ACKWEBPUSH "phone-1" "{"0" * 32}"')
        self.assertTrue(tagged.startswith("NO"), tagged)
        self.assertIn("not the token", tagged)
        self.ok(s, validation)
        self.assertIn("OK ACKWEBPUSH completed, already active", s.run(validation)[1])

        self.dovecot.deliver_lmtp(message=sample_message(subject="After the ack"))
        messages = self.service.wait_for_notifications(subscription["clientHash"], 2)
        self.assertEqual(len(messages), 2, self.dovecot.log())
        # one account's notifications leave in order: had the first mail
        # been queued for this subscription, it would be here before this
        xemn = ET.fromstring(messages[1].encode())
        self.assertEqual(xemn.tag, "xemn")
        self.assertEqual(xemn.get("event"), "MessageNew")
        self.assertEqual(xemn.get("mailbox"), "mailat:alice@example.test")
        self.assertEqual(xemn.get("uid"), "2")
        # lnotify_webpush_content = changes (default): what changed, not
        # who wrote what
        self.assertIsNone(xemn.get("subject"))
        self.assertIsNone(xemn.get("sender"))
        sent = [n for n in self.dovecot.sent_notifications() if n["channel"] == "WEBPUSH"]
        self.assertEqual([n["uid"] for n in sent if n["event"] == "MessageNew"], ["2"])

    def test_survives_restart_and_is_deleted(self):
        s = self.session()
        subscription, validation = self.register(s, "laptop")
        self.ok(s, validation)
        s.close()
        self.dovecot.stop()
        self.dovecot.start()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        self.dovecot.deliver_lmtp()
        self.assertEqual(len(self.service.wait_for_notifications(subscription["clientHash"], 2)), 2,
                         self.dovecot.log())

        s = self.session()
        self.assertIn("subscription deleted", s.run('WEBPUSH "laptop" NIL')[1])
        _, tagged = s.run(validation)
        self.assertTrue(tagged.startswith("NO [NONEXISTENT]"), tagged)
        # deleting an unknown id is OK too (draft)
        self.assertTrue(s.run('WEBPUSH "laptop" NIL')[1].startswith("OK"))

    def test_gone_subscription_is_removed(self):
        s = self.session()
        subscription, validation = self.register(s, "phone")
        self.ok(s, validation)
        self.service.expire(subscription["clientHash"])
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"push service answered 410"))
        s.close()
        # The next session removes it before its first answer.
        s = self.session()
        _, tagged = s.run(validation)
        self.assertTrue(tagged.startswith("NO [NONEXISTENT]"), tagged)
        self.assertNotIn("Cannot remove", self.dovecot.log())

    def test_refused_input(self):
        s = self.session()
        device = Device()
        p256dh, auth = b64url(device.public), b64url(device.auth)
        _, tagged = s.run(f'WEBPUSH "a" "ftp://localhost/x" "{p256dh}" "{auth}"')
        self.assertTrue(tagged.startswith("NO"), tagged)
        self.assertIn("not an http(s) URL", tagged)
        long = "http://localhost/" + "a" * 1000
        _, tagged = s.run(f'WEBPUSH "a" "{long}" "{p256dh}" "{auth}"')
        self.assertIn("longer than 1000 bytes, the UnifiedPush limit", tagged)
        _, tagged = s.run(f'WEBPUSH "a" "http://localhost/x" "{p256dh}" "c2hvcnQ"')
        self.assertTrue(tagged.startswith("NO"), tagged)
        self.assertIn("auth: the secret is 5 bytes, not 16", tagged)
        _, tagged = s.run(f'WEBPUSH "a" "https://push.example.net/x" "{p256dh}" "{auth}"')
        self.assertIn("not an allowed destination", tagged)
        _, tagged = s.run(f'WEBPUSH "a b" "http://localhost/x" "{p256dh}" "{auth}"')
        self.assertTrue(tagged.startswith("BAD"), tagged)
        _, tagged = s.run('WEBPUSH "a"')
        self.assertTrue(tagged.startswith("BAD"), tagged)
        _, tagged = s.run('ACKWEBPUSH "nobody" "00"')
        self.assertTrue(tagged.startswith("NO [NONEXISTENT]"), tagged)
        self.assertEqual(self.dovecot.spool_entries("incoming") + self.dovecot.spool_entries("active"),
                         [], "nothing was queued")

    def test_retry_after_is_honoured(self):
        scripted = ScriptedPushService()
        self.addCleanup(scripted.stop)
        scripted.script = [(429, {"Retry-After": "3"})]
        device = Device()
        endpoint = f"http://localhost:{scripted.port}/push/1"
        s = self.session()
        self.webpush(s, "tablet", endpoint, b64url(device.public), b64url(device.auth))
        requests = scripted.wait_for(2)
        self.assertEqual(len(requests), 2, self.dovecot.log())
        (first, _, _, _), (second, path, headers, body) = requests
        self.assertGreaterEqual(second - first, 3.0, "Retry-After: 3 is waited out")
        self.assertEqual(path, "/push/1")
        self.assertEqual(headers["Content-Encoding"], "aes128gcm")
        self.assertEqual(headers["Urgency"], "high")
        self.assertNotIn("Topic", headers)
        self.assertTrue(headers["Authorization"].startswith("vapid t="))
        m = ACK_RE.match(device.decrypt(body))
        self.assertIsNotNone(m)
        self.assertEqual(m.group(1), "tablet")
        self.assertIsNotNone(self.dovecot.wait_for_log(r"notification deferred .*answered 429; Retry-After 3"))
        self.ok(s, device.decrypt(body))

    def test_rotated_vapid_key_deactivates(self):
        s = self.session()
        old_sub, validation = self.register(s, "phone")
        self.ok(s, validation)
        old_key = self.getvapid(s)
        s.close()

        self.dovecot.stop()
        key = os.path.join(self.key_dir, "vapid.pem")
        subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key],
                       check=True)
        os.chmod(key, 0o644)
        os.unlink(os.path.join(self.dovecot.spool, "provision"))
        self.dovecot.start()

        # The session says so before its first answer.
        s = self.session()
        untagged = self.ok(s, "NOOP")
        [line] = [u for u in untagged if u.startswith("* VAPID ")]
        new_key = re.fullmatch(r'\* VAPID "([A-Za-z0-9_-]+)"', line).group(1)
        self.assertNotEqual(new_key, old_key)
        self.assertEqual(self.getvapid(s), new_key)
        _, tagged = s.run(validation)
        self.assertTrue(tagged.startswith("NO"), tagged)
        self.assertIn("VAPID key changed", tagged)

        # Inactive: mail goes nowhere until the client subscribes again.
        self.dovecot.deliver_lmtp()
        new_sub = self.service.subscribe(new_key)
        self.webpush(s, "phone", new_sub["endpoint"], new_sub["keys"]["p256dh"],
                     new_sub["keys"]["auth"])
        [validation] = self.service.wait_for_notifications(new_sub["clientHash"], 1)
        self.ok(s, validation)
        self.dovecot.deliver_lmtp()
        messages = self.service.wait_for_notifications(new_sub["clientHash"], 2)
        self.assertEqual(len(messages), 2, self.dovecot.log())
        self.assertEqual(ET.fromstring(messages[1].encode()).get("uid"), "2")
        # the old endpoint got its validation only (ordered per account)
        self.assertEqual(len(self.service.notifications(old_sub["clientHash"])), 1)


class DocExample(unittest.TestCase):
    """doc/webpush.md's example body decrypts, with its keys, to the text it
    shows (lnotify produced it; this checks the page stays right)."""

    def test_example_decrypts(self):
        doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "doc", "webpush.md")
        with open(doc) as f:
            text = f.read()
        m = re.search(r"device private key \(P-256 scalar d, base64url\):\n(\S+)\n"
                      r"p256dh: (\S+)\nauth: +(\S+)\n"
                      r"body \(base64url of the aes128gcm bytes\):\n([A-Za-z0-9_\n-]+)\n"
                      r"plaintext:\n(.*?)\n```", text, re.S)
        self.assertIsNotNone(m, "the example block is in doc/webpush.md")
        device = Device()
        device.private = ec.derive_private_key(int.from_bytes(unb64url(m.group(1)), "big"),
                                               ec.SECP256R1())
        device.public = unb64url(m.group(2))
        self.assertEqual(device.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint), device.public)
        device.auth = unb64url(m.group(3))
        body = unb64url(m.group(4).replace("\n", ""))
        # the document ends with a newline (libxml2)
        self.assertEqual(device.decrypt(body), m.group(5) + "\n")


if __name__ == "__main__":
    unittest.main()

"""Issue 14: the Web Push channel against npm's web-push-testing, an
independent Web Push service that checks our VAPID token and decrypts the
aes128gcm body (webpush_peer.py). The client's side is done as a real
client would: read the VAPID key over IMAP, subscribe with it, store the
endpoint and the keys with SETMETADATA."""

import json
import os
import subprocess
import unittest
import xml.etree.ElementTree as ET

from lnotify_harness import ADDRESS, CHANNEL, DovecotTestCase, free_port, sample_message
from webpush_peer import WebPushTesting

VAPID_KEY = "/private/notify/webpush/vapid-key"
STATUS = "/private/notify/webpush/status"
P256DH = "/private/notify/security/p256dh"
AUTH = "/private/notify/security/auth"


class WebPushCase(DovecotTestCase):
    """A Dovecot with the WEBPUSH channel and web-push-testing beside it."""
    payload = None  # the dispatcher's webpush_payload, when set

    def setUp(self):
        self.service = WebPushTesting(free_port()).start()
        self.addCleanup(self.service.stop)
        # the VAPID key as an administrator makes it (dovecot-conf/lnotify-dispatch.conf)
        self.key_dir = os.path.join("/tmp", f"lnotify-vapid-{os.getpid()}-{id(self)}")
        os.makedirs(self.key_dir, mode=0o755, exist_ok=True)
        self.addCleanup(subprocess.run, ["rm", "-rf", self.key_dir])
        key = os.path.join(self.key_dir, "vapid.pem")
        subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key],
                       check=True)
        os.chmod(key, 0o644)
        self.dispatch_settings = {
            "channels": "UDP WEBPUSH",
            "webpush_vapid_key": key,
            "webpush_subject": "mailto:postmaster@example.test",
            # web-push-testing serves plain http on localhost
            "webpush_allow_http_hosts": "localhost",
            "allowed_destinations": "127.0.0.1 ::1 localhost",
        }
        if self.payload is not None:
            self.dispatch_settings["webpush_payload"] = self.payload
        self.dispatch_settings.update(getattr(self, "extra_dispatch", {}))
        super().setUp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        self.client = self.imap()

    def tearDown(self):
        result = self._outcome.result
        if any(test is self for test, _ in result.failures + result.errors):
            print(f"\n---- web-push-testing log ----\n{self.service.log()}---- end ----")
        super().tearDown()

    def set(self, mailbox, entry, value):
        typ, data = self.dovecot.set_metadata(self.client, mailbox, entry, value)
        self.assertEqual(typ, "OK", data)

    def get(self, mailbox, entry):
        typ, values, text = self.dovecot.get_metadata(self.client, mailbox, entry)
        self.assertEqual(typ, "OK", text)
        value = values.get(entry)
        return value.decode() if isinstance(value, bytes) else value

    def subscribe(self, format="EXTENDED"):
        """The client's registration, as doc/channels/webpush.md shows it."""
        vapid_key = self.get("", VAPID_KEY)
        self.assertTrue(vapid_key, "the server publishes its VAPID key")
        subscription = self.service.subscribe(vapid_key)
        self.set("", P256DH, subscription["keys"]["p256dh"])
        self.set("", AUTH, subscription["keys"]["auth"])
        self.set("INBOX", CHANNEL, f"WEBPUSH={format}")
        self.set("INBOX", ADDRESS, subscription["endpoint"])
        return subscription


class WebPushChannel(WebPushCase):
    def test_delivery_arrives_decrypted(self):
        subscription = self.subscribe()
        self.dovecot.deliver_lmtp(message=sample_message(subject="Quarterly report"))
        messages = self.service.wait_for_notifications(subscription["clientHash"], 1)
        self.assertEqual(len(messages), 1, self.dovecot.log())
        # doc/payloads.md: the draft's xemn XML (issue 22 item 4)
        xemn = ET.fromstring(messages[0].encode())
        self.assertEqual(xemn.tag, "xemn")
        self.assertEqual(xemn.get("event"), "MessageNew")
        self.assertEqual(xemn.get("mailbox"), "mailat:alice@example.test")
        self.assertEqual(xemn.get("uid"), "1")
        self.assertEqual(xemn.get("subject"), "Quarterly report")
        self.assertIsNotNone(self.dovecot.wait_for_log(r"sent EXTENDED over WEBPUSH to http://localhost"))

    def test_wakeup_arrives_decrypted(self):
        subscription = self.subscribe(format="WAKEUP")
        self.dovecot.deliver_lmtp()
        messages = self.service.wait_for_notifications(subscription["clientHash"], 1)
        self.assertEqual(len(messages), 1, self.dovecot.log())
        self.assertIn("<!DOCTYPE emn PUBLIC \"-//WAPFORUM//DTD EMN 1.0//EN\"", messages[0])
        emn = ET.fromstring(messages[0].encode())
        self.assertEqual(emn.tag, "emn")
        self.assertEqual(emn.get("mailbox"), "mailat:alice@example.test")
        self.assertIsNone(emn.get("subject"))

    def test_expired_subscription(self):
        subscription = self.subscribe()
        endpoint = subscription["endpoint"]
        self.dovecot.deliver_lmtp()
        self.assertEqual(len(self.service.wait_for_notifications(subscription["clientHash"], 1)), 1)
        self.assertIsNone(self.get("", STATUS), "no status while the subscription works")

        self.service.expire(subscription["clientHash"])
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"notification dropped \([^)]*\): push service answered 410 .*expired or was unsubscribed"))
        status = self.get("", STATUS)
        self.assertRegex(status, r"^gone 410 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ " + endpoint + "$")
        typ, data = self.dovecot.set_metadata(self.client, "", STATUS, "ok")
        self.assertEqual(typ, "NO", "the status is read-only")

        # No further sends: with the service gone, any attempt would fail
        # to connect and be deferred; the dispatcher must not even try.
        self.service.stop()
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"notification dropped \([^)]*\): the Web Push subscription is gone \(gone 410 "))
        log = self.dovecot.log()
        self.assertNotIn("push service not reached", log)
        self.assertNotIn("notification deferred", log)
        self.assertEqual(len(self.dovecot.sent_notifications()), 1)

    def test_new_subscription_after_gone(self):
        old = self.subscribe()
        self.service.expire(old["clientHash"])
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"push service answered 410"))
        new = self.subscribe()
        self.dovecot.deliver_lmtp()
        messages = self.service.wait_for_notifications(new["clientHash"], 1)
        self.assertEqual(len(messages), 1, self.dovecot.log())
        # the status still names the old endpoint, so the client can tell
        self.assertTrue(self.get("", STATUS).endswith(" " + old["endpoint"]))

    def test_plain_http_only_for_listed_hosts(self):
        self.set("INBOX", CHANNEL, "WEBPUSH=EXTENDED")
        typ, data = self.dovecot.set_metadata(self.client, "INBOX", ADDRESS,
                                              f"http://127.0.0.1:{self.service.port}/notify/x")
        self.assertEqual(typ, "NO")
        self.assertIn("plain http:// is not allowed for \"127.0.0.1\"", data[0].decode())
        typ, data = self.dovecot.set_metadata(self.client, "INBOX", ADDRESS,
                                              "https://push.example.net/send/x")
        self.assertEqual(typ, "NO")
        self.assertIn("not an allowed destination", data[0].decode())



class WebPushJson(WebPushCase):
    """The JSON binding, when the administrator chooses it."""
    payload = "json"

    def test_json_when_chosen(self):
        subscription = self.subscribe()
        self.dovecot.deliver_lmtp(message=sample_message(subject="Quarterly report"))
        messages = self.service.wait_for_notifications(subscription["clientHash"], 1)
        self.assertEqual(len(messages), 1, self.dovecot.log())
        xemn = json.loads(messages[0])
        self.assertEqual(xemn["event"], "MessageNew")
        self.assertEqual(xemn["uid"], 1)
        self.assertEqual(xemn["subject"], "Quarterly report")


if __name__ == "__main__":
    unittest.main()

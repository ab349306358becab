"""Issues 4 and 5 end to end: a type C message becomes a request carrying
what an xemn needs (sender, date, subject, snippet, view), bounded by the
client's size limit, and encrypted when the device provisioned keys."""

import struct
import unittest
import xml.dom.minidom

from lnotify_harness import ADDRESS, CHANNEL, DovecotTestCase, sample_message

# RFC 8291 §5's example receiver key and auth secret
P256DH = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
AUTH = "BTBZMqHH6r4Tts7J_aSIgg"


class ExtendedPayload(DovecotTestCase):
    def setUp(self):
        super().setUp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        self.client = self.imap()
        self.set("INBOX", CHANNEL, "UDP=EXTENDED")
        self.set("INBOX", ADDRESS, self.sink.address)

    def set(self, mailbox, entry, value):
        typ, data = self.dovecot.set_metadata(self.client, mailbox, entry, value)
        self.assertEqual(typ, "OK", data)

    def xemn(self):
        datagram = self.sink.receive(timeout=10)
        self.assertIsNotNone(datagram, "no notification arrived")
        root = xml.dom.minidom.parseString(datagram).documentElement
        self.assertEqual(root.tagName, "xemn")
        return datagram, root

    def test_message_facts(self):
        self.dovecot.deliver_lmtp(message=sample_message(subject="=?UTF-8?B?w6l0w6kgcmVwb3J0?=",
                                                         sender="boss@example.org"))
        _, xemn = self.xemn()
        self.assertEqual(xemn.getAttribute("event"), "MessageNew")
        self.assertEqual(xemn.getAttribute("uid"), "1")
        self.assertEqual(xemn.getAttribute("view"), "INBOX")
        self.assertEqual(xemn.getAttribute("mailbox"), "mailat:alice@example.test")
        self.assertEqual(xemn.getAttribute("subject"), "\u00e9t\u00e9 report", "RFC 2047 decoded")
        self.assertIn("boss@example.org", xemn.getAttribute("sender"))
        self.assertTrue(xemn.getAttribute("datetime"))
        self.assertEqual(xemn.firstChild.data, "Body text of the sample message.")

    def test_view_name(self):
        self.set("", "/private/filters/values/boss", "FROM boss@example.org")
        self.set("INBOX", "/private/notify/view", "boss")
        self.dovecot.deliver_lmtp(message=sample_message(sender="boss@example.org"))
        _, xemn = self.xemn()
        self.assertEqual(xemn.getAttribute("view"), "boss")

    def test_size_limit(self):
        self.set("INBOX", "/private/notify/outband/limit", "size=220")
        self.dovecot.deliver_lmtp(message=sample_message(subject="a long subject " * 20))
        datagram, xemn = self.xemn()
        self.assertLessEqual(len(datagram), 220)
        self.assertEqual(xemn.getAttribute("uid"), "1")

    def test_encrypted_for_a_provisioned_device(self):
        self.set("", "/private/notify/security/p256dh", P256DH)
        self.set("", "/private/notify/security/auth", AUTH)
        self.dovecot.deliver_lmtp(message=sample_message(subject="secret plans"))
        datagram = self.sink.receive(timeout=10)
        self.assertIsNotNone(datagram)
        # RFC 8188 header: salt(16) rs(4) idlen(1) keyid(65, the sender's
        # uncompressed P-256 key), then the ciphertext
        salt, rs, idlen = datagram[:16], struct.unpack(">I", datagram[16:20])[0], datagram[20]
        self.assertEqual((rs, idlen, datagram[21]), (4096, 65, 0x04))
        self.assertGreater(len(datagram), 86 + 16)
        self.assertNotIn(b"secret plans", datagram)
        self.assertNotIn(b"xemn", datagram)


if __name__ == "__main__":
    unittest.main()

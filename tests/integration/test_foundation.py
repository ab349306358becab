"""Issue 2: the plugins load into a real Dovecot, LNOTIFICATION is advertised,
and a delivery by LMTP or dovecot-lda makes an OMA EMN wake-up arrive over UDP
through the dispatcher process."""

import os
import time
import unittest

from lnotify_harness import DovecotTestCase, parse_emn, utc_seconds


class Capabilities(DovecotTestCase):
    def test_lnotification_before_and_after_login(self):
        client = self.dovecot.imap()
        self.addCleanup(client.logout)
        # imaplib keeps the greeting's (pre-login) list
        self.assertIn("LNOTIFICATION", client.capabilities)
        typ, data = client.capability()
        self.assertEqual(typ, "OK")
        caps = data[0].decode().split()
        for cap in ("LNOTIFICATION", "IDLE", "METADATA", "LIST-EXTENDED"):
            self.assertIn(cap, caps)
        self.assertEqual(caps.count("LNOTIFICATION"), 1, caps)
        self.assertNotIn("VFOLDER", caps, "views cannot be opened as mailboxes yet")

    def test_dispatcher_runs_as_dovecot_service(self):
        m = self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started: config (\S+)")
        self.assertIsNotNone(m, "the master starts the dispatcher with Dovecot")
        users = self.dovecot.process_users("lnotify-dispatch")
        self.assertEqual(users, ["dovecot"], "one dispatcher, as the Dovecot internal user, never root")


class CapabilityWithoutGreetingSetting(DovecotTestCase):
    # An administrator who dropped imap_capability from the snippet.
    extra_conf = "imap_capability =\n"

    def test_plugin_adds_lnotification_after_login(self):
        client = self.dovecot.imap()
        self.addCleanup(client.logout)
        self.assertNotIn("LNOTIFICATION", client.capabilities, "imap-login loads no plugins")
        typ, data = client.capability()
        caps = data[0].decode().split()
        self.assertEqual(caps.count("LNOTIFICATION"), 1, caps)


class WakeupOverUdp(DovecotTestCase):
    def assert_wakeup(self, before, after):
        datagram = self.sink.receive(timeout=10)
        self.assertIsNotNone(datagram, "no EMN datagram arrived")
        mailbox, timestamp = parse_emn(datagram)
        self.assertEqual(mailbox, "mailat:alice@example.test")
        # the delivery time, in UTC, to the second
        self.assertLessEqual(int(before), utc_seconds(timestamp))
        self.assertLessEqual(utc_seconds(timestamp), int(after) + 1)

    def test_lmtp_delivery(self):
        self.choose("UDP=WAKEUP", self.sink.address)
        before = time.time()
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        self.assert_wakeup(before, time.time())
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"lnotify-dispatch: Info: sent WAKEUP over UDP to 127\.0\.0\.1:\d+ \(user=alice@example.test mailbox=INBOX uid=1 "))

    def test_lda_delivery(self):
        self.choose("udp=wakeup", self.sink.address)
        before = time.time()
        result = self.dovecot.deliver_lda()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_wakeup(before, time.time())

    def test_one_wakeup_per_delivered_message(self):
        self.choose("UDP=WAKEUP", self.sink.address)
        for _ in range(3):
            self.dovecot.deliver_lmtp()
        for _ in range(3):
            self.assertIsNotNone(self.sink.receive(timeout=10))
        self.assertEqual(self.message_count(), 3)

    def test_sent_by_the_dispatcher_not_the_delivery_process(self):
        self.choose("UDP=WAKEUP", self.sink.address)
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.sink.receive(timeout=10))
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"lmtp\(alice@example.test\).*lnotify: Queued notification for mailbox INBOX UID 1"))
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: sent WAKEUP"))


class NoChannelNoNotification(DovecotTestCase):
    def assert_nothing_queued(self, reason_pattern):
        self.assertIsNotNone(self.dovecot.wait_for_log(reason_pattern))
        self.assertEqual(self.dovecot.spool_entries("incoming"), [])
        self.assertEqual(self.dovecot.spool_entries("active"), [])
        self.assertNotRegex(self.dovecot.log(), r"Queued notification")

    def test_unset(self):
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        self.assert_nothing_queued(r"lnotify: No outband channel chosen for mailbox INBOX")
        self.assertEqual(self.message_count(), 1)

    def test_none(self):
        self.choose("NONE", self.sink.address)
        self.assertEqual(self.dovecot.deliver_lda().returncode, 0)
        self.assert_nothing_queued(r"lnotify: No outband channel chosen for mailbox INBOX")

    def test_other_mailbox_user(self):
        self.choose("UDP=WAKEUP", self.sink.address, user="bob")
        self.assertEqual(self.dovecot.deliver_lmtp("alice@example.test"), {})
        self.assert_nothing_queued(r"lmtp\(alice@example.test\).*No outband channel chosen")

    def test_broken_preference_never_fails_the_delivery(self):
        # A value stored behind lnotify's back (here: by a raw dict edit,
        # as a tool without the plugin or an old version could have).
        self.choose("UDP=WAKEUP", self.sink.address)
        self.dovecot.edit_attribute_dict("alice", "notify/outband/address", "not-an-address")
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"lnotify: No outband notification for mailbox INBOX: /private/notify/outband/address: invalid UDP address"))
        self.assertEqual(self.message_count(), 1)


class WithoutDispatcher(DovecotTestCase):
    def restart(self, with_dispatcher):
        self.dovecot.stop()
        self.dovecot.with_dispatcher = with_dispatcher
        self.dovecot._write_conf(os.path.join(self.dovecot.root, "lnotify-dispatch.conf"))
        self.dovecot.start()

    def test_delivery_succeeds_and_notification_waits(self):
        self.choose("UDP=WAKEUP", self.sink.address)
        # The service disappears from the configuration (or never ran).
        self.restart(with_dispatcher=False)
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        result = self.dovecot.deliver_lda()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.message_count(), 2)
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"lnotify: Dispatcher not running \(open\(\S+/lnotify-dispatch\) failed: (No such file or directory|No such device or address)\): "
            r"1 notification\(s\) left queued in \S+ until it starts"))
        self.assertEqual(len(self.dovecot.spool_requests("incoming")), 2)

        # The administrator puts the service back: what was queued is sent.
        self.restart(with_dispatcher=True)
        for _ in range(2):
            datagram = self.sink.receive(timeout=10)
            self.assertIsNotNone(datagram, "a queued notification was lost")
            self.assertEqual(parse_emn(datagram)[0], "mailat:alice@example.test")
        self.assertEqual(self.dovecot.spool_entries("incoming"), [])


if __name__ == "__main__":
    unittest.main()

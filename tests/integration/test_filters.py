"""Issue 4: view and notification filters decide types A, B and C (draft §3)."""

import re
import time
import unittest

from lnotify_harness import ADDRESS, CHANNEL, DovecotTestCase, UdpSink, sample_message


class Filters(DovecotTestCase):
    def setUp(self):
        super().setUp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        self.client = self.imap()
        for name, program in (("boss", "FROM boss@example.org"), ("urgent", "SUBJECT urgent"),
                              ("everything", "ALL")):
            typ, data = self.dovecot.set_metadata(self.client, "", f"/private/filters/values/{name}", program)
            self.assertEqual(typ, "OK", data)
        self.set("INBOX", CHANNEL, "UDP=EXTENDED")
        self.set("INBOX", ADDRESS, self.sink.address)

    def set(self, mailbox, entry, value):
        typ, data = self.dovecot.set_metadata(self.client, mailbox, entry, value)
        self.assertEqual(typ, "OK", data)

    def deliver(self, subject, sender):
        self.dovecot.deliver_lmtp(message=sample_message(subject=subject, sender=sender))

    def notified_uids(self, expected_deliveries):
        """UIDs notified outband, once every delivery has been decided:
        each either queues a notification or logs its type (A or B)."""
        decided = r"Queued notification for mailbox INBOX UID|INBOX UID \d+ (is in no view|misses)"
        deadline = time.time() + 10
        while len(re.findall(decided, self.dovecot.log())) < expected_deliveries and time.time() < deadline:
            time.sleep(0.05)
        return [int(u) for u in re.findall(r"Queued notification for mailbox INBOX UID (\d+)", self.dovecot.log())]

    def test_no_views_every_message_is_type_c(self):
        self.deliver("hello", "friend@example.org")
        self.deliver("hi", "boss@example.org")
        self.assertEqual(self.notified_uids(2), [1, 2])

    def test_view_miss_is_type_a(self):
        self.set("INBOX", "/private/notify/view", "boss")
        self.deliver("hello", "friend@example.org")
        self.deliver("report", "boss@example.org")
        self.assertEqual(self.notified_uids(2), [2])
        self.assertRegex(self.dovecot.log(), r"INBOX UID 1 is in no view \(type A\)")
        self.assertIsNotNone(self.sink.receive(timeout=10))

    def test_view_hit_and_notification_filter_miss_is_type_b(self):
        self.set("INBOX", "/private/notify/view", "everything")
        self.set("INBOX", "/private/notify/outband/filter", "urgent")
        self.deliver("lunch?", "friend@example.org")
        self.deliver("urgent: server down", "boss@example.org")
        self.assertEqual(self.notified_uids(2), [2])
        self.assertRegex(self.dovecot.log(), r"INBOX UID 1 misses the notification filter \(type B\)")

    def test_notification_filter_without_views(self):
        self.set("INBOX", "/private/notify/outband/filter", "boss")
        self.deliver("hello", "friend@example.org")
        self.deliver("hi", "boss@example.org")
        self.assertEqual(self.notified_uids(2), [2])

    def test_second_view_matches(self):
        self.set("INBOX", "/private/notify/view", "urgent boss")
        self.deliver("hello", "boss@example.org")
        self.assertEqual(self.notified_uids(1), [1])

    def test_undefined_filter_selects_nothing_and_is_logged(self):
        self.set("INBOX", "/private/notify/view", "nosuchfilter")
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"Mailbox INBOX: filter 'nosuchfilter' is not defined .*; it selects no message"))
        self.assertEqual(self.notified_uids(1), [])

    def test_changed_filter_is_used_at_next_delivery(self):
        self.set("INBOX", "/private/notify/view", "boss")
        self.deliver("one", "friend@example.org")
        self.set("", "/private/filters/values/boss", "FROM friend@example.org")
        self.deliver("two", "friend@example.org")
        self.assertEqual(self.notified_uids(2), [2])


if __name__ == "__main__":
    unittest.main()

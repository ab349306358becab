"""Issue 12: inband push — with push, an idling client receives new messages
as unsolicited FETCH in its msgformat right after the EXISTS; with pull, only
the EXISTS."""

import re
import unittest

from lnotify_harness import DovecotTestCase, RawImap, sample_message


class InbandTestCase(DovecotTestCase):
    def setUp(self):
        super().setUp()
        self.settings = self.imap()

    def set(self, entry, value, mailbox="INBOX"):
        typ, data = self.dovecot.set_metadata(self.settings, mailbox, entry, value)
        self.assertEqual(typ, "OK", data)

    def idle(self, notify=None):
        client = RawImap(self.dovecot.imap_port, "alice")
        self.addCleanup(client.close)
        client.command("SELECT INBOX")
        if notify:
            client.command(notify)
        client.idle()
        return client

    def untagged_until_quiet(self, client):
        return client.lines_until_quiet()

    def fetches(self, lines):
        return [line for line in lines if re.match(r"\* \d+ FETCH", line)]



class InbandPush(InbandTestCase):
    def test_push_sends_the_message_in_msgformat(self):
        self.set("/private/notify/inband/push", "push")
        self.set("/private/notify/inband/msgformat", "(UID FLAGS ENVELOPE)")
        client = self.idle()
        self.dovecot.deliver_lmtp(message=sample_message(subject="pushed to you"))
        lines = self.untagged_until_quiet(client)
        self.assertTrue(any(re.match(r"\* 1 EXISTS", line) for line in lines), lines)
        fetches = self.fetches(lines)
        self.assertEqual(len(fetches), 1, lines)
        self.assertRegex(fetches[0], r"^\* 1 FETCH \(UID 1 FLAGS \([^)]*\) ENVELOPE \(")
        self.assertIn("pushed to you", fetches[0])
        self.assertLess(lines.index(next(l for l in lines if "EXISTS" in l)), lines.index(fetches[0]),
                        "the FETCH follows the EXISTS")

    def test_default_msgformat_is_uid_flags(self):
        self.set("/private/notify/inband/push", "push")
        client = self.idle()
        self.dovecot.deliver_lmtp()
        fetches = self.fetches(self.untagged_until_quiet(client))
        self.assertEqual(len(fetches), 1)
        self.assertRegex(fetches[0], r"^\* 1 FETCH \(UID 1 FLAGS \([^)]*\)\)\r\n$")

    def test_pull_sends_only_exists(self):
        self.set("/private/notify/inband/push", "pull")
        client = self.idle()
        self.dovecot.deliver_lmtp()
        lines = self.untagged_until_quiet(client)
        self.assertTrue(any("EXISTS" in line for line in lines), lines)
        self.assertEqual(self.fetches(lines), [])

    def test_unset_is_pull(self):
        client = self.idle()
        self.dovecot.deliver_lmtp()
        self.assertEqual(self.fetches(self.untagged_until_quiet(client)), [])

    def test_changed_msgformat_takes_effect_for_the_next_message(self):
        self.set("/private/notify/inband/push", "push")
        client = self.idle()
        self.dovecot.deliver_lmtp()
        first = self.fetches(self.untagged_until_quiet(client))
        self.assertRegex(first[0], r"^\* 1 FETCH \(UID 1 FLAGS")
        self.set("/private/notify/inband/msgformat", "(UID RFC822.SIZE)")
        self.dovecot.deliver_lmtp()
        second = self.fetches(self.untagged_until_quiet(client))
        self.assertEqual(len(second), 1, second)
        self.assertRegex(second[0], r"^\* 2 FETCH \(UID 2 RFC822.SIZE \d+\)")

    def test_type_a_message_is_not_pushed(self):
        typ, data = self.dovecot.set_metadata(self.settings, "", "/private/filters/values/boss",
                                              "FROM boss@example.org")
        self.assertEqual(typ, "OK", data)
        self.set("/private/notify/inband/push", "push")
        self.set("/private/notify/view", "boss")
        client = self.idle()
        self.dovecot.deliver_lmtp(message=sample_message(sender="friend@example.org"))
        self.dovecot.deliver_lmtp(message=sample_message(sender="boss@example.org"))
        lines = self.untagged_until_quiet(client)
        fetches = self.fetches(lines)
        self.assertEqual(len(fetches), 1, lines)
        self.assertRegex(fetches[0], r"^\* 2 FETCH \(UID 2 ")

    def test_event_filter_none_pushes_nothing(self):
        self.set("/private/notify/inband/push", "push")
        self.set("/private/notify/event/filter", "NONE")
        client = self.idle()
        self.dovecot.deliver_lmtp()
        lines = self.untagged_until_quiet(client)
        self.assertTrue(any("EXISTS" in line for line in lines), lines)
        self.assertEqual(self.fetches(lines), [])



class InbandPushWithNotify(InbandTestCase):
    """The client asks for the FETCH itself with NOTIFY."""
    # Dovecot offers NOTIFY (RFC 5465) with the mailbox list index
    extra_conf = "mailbox_list_index = yes\n"

    def test_notify_client_is_not_sent_the_fetch_twice(self):
        self.set("/private/notify/inband/push", "push")
        client = self.idle(notify="NOTIFY SET (SELECTED (MessageNew (UID) MessageExpunge))")
        self.dovecot.deliver_lmtp()
        fetches = self.fetches(self.untagged_until_quiet(client))
        self.assertEqual(len(fetches), 1, fetches)
        self.assertRegex(fetches[0], r"^\* 1 FETCH \(UID 1\)")


if __name__ == "__main__":
    unittest.main()

"""Issue 4: every RFC 5423 event is captured at commit and becomes a
notification request, observed as the dispatcher sends it."""

import unittest

from lnotify_harness import ADDRESS, CHANNEL, DovecotTestCase, UdpSink, sample_message

EVENT_FILTER = "/private/notify/event/filter"


class EventsTestCase(DovecotTestCase):
    """alice wants every event (ALL) on INBOX and Archive; bob new mail only.
    A delivery to bob is the barrier: the dispatcher sends in spool order,
    so once bob's notification is out, every earlier one of alice's is."""

    event_filter = "ALL"

    def setUp(self):
        super().setUp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        self.bob_sink = UdpSink()
        self.addCleanup(self.bob_sink.close)
        client = self.imap()
        typ, data = client.create("Archive")
        self.assertEqual(typ, "OK", data)
        for box in ("INBOX", "Archive"):
            for entry, value in ((CHANNEL, "UDP=EXTENDED"), (ADDRESS, self.sink.address),
                                 (EVENT_FILTER, self.event_filter)):
                typ, data = self.dovecot.set_metadata(client, box, entry, value)
                self.assertEqual(typ, "OK", data)
        client.logout()
        # Its Logout (outband: ALL) is queued once the session let go of its
        # presence, which would keep mailbox events inband (draft §6).
        for _ in range(200):
            if self.event_filter != "ALL" or any(
                    n["event"] == "Logout" for n in self.dovecot.sent_notifications()):
                break
            self.sink.receive(timeout=0.05)
        else:
            self.fail("alice's Logout never went out:\n" + self.dovecot.log())
        self.choose("UDP=WAKEUP", self.bob_sink.address, user="bob")
        self.barriers = 0
        self.seen = 0

    def alice_events(self):
        """alice's message and mailbox events since the last call, as
        (event, mailbox, uid) tuples; Login/Logout of the test's own IMAP
        sessions are left out (test_login_logout checks them)."""
        self.dovecot.deliver_lmtp("bob@example.test")
        self.barriers += 1
        for _ in range(200):
            sent = self.dovecot.sent_notifications()
            if sum(1 for n in sent if n["user"].startswith("bob")) >= self.barriers:
                break
            self.bob_sink.receive(timeout=0.05)
        else:
            self.fail("the barrier notification never went out:\n" + self.dovecot.log())
        new = sent[self.seen:]
        self.seen = len(sent)
        return [(n["event"], n["mailbox"], int(n["uid"])) for n in new
                if n["user"].startswith("alice") and n["event"] not in ("Login", "Logout")]


class MessageEvents(EventsTestCase):
    def test_delivery_is_message_new_and_append_is_message_append(self):
        self.dovecot.deliver_lmtp()
        client = self.imap()
        typ, data = client.append("INBOX", None, None, sample_message(subject="appended").encode())
        self.assertEqual(typ, "OK", data)
        result = self.dovecot.deliver_lda()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.alice_events(), [("MessageNew", "INBOX", 1), ("MessageAppend", "INBOX", 2),
                                               ("MessageNew", "INBOX", 3)])

    def test_copy_and_move_over_imap(self):
        for _ in range(3):
            self.dovecot.deliver_lmtp()
        self.alice_events()
        client = self.imap()
        client.select("INBOX")
        typ, data = client.uid("COPY", "1", "Archive")
        self.assertEqual(typ, "OK", data)
        typ, data = client.uid("MOVE", "2:3", "Archive")
        self.assertEqual(typ, "OK", data)
        # INBOX is selected by this very session: its expunges go inband only
        self.assertEqual(self.alice_events(), [("MessageAppend", "Archive", 1), ("MessageAppend", "Archive", 2),
                                               ("MessageAppend", "Archive", 3)])
        client.logout()
        self.dovecot.doveadm("move", "-u", "alice", "Archive", "mailbox", "INBOX", "all")
        self.assertEqual(self.alice_events(), [("MessageAppend", "Archive", 4), ("MessageExpunge", "INBOX", 1)])

    def test_flag_changes(self):
        for _ in range(2):
            self.dovecot.deliver_lmtp()
        self.alice_events()
        self.dovecot.doveadm("flags", "add", "-u", "alice", "\\Seen", "mailbox", "INBOX", "uid", "1")
        self.dovecot.doveadm("flags", "add", "-u", "alice", "\\Flagged $Important", "mailbox", "INBOX", "uid", "1")
        self.dovecot.doveadm("flags", "remove", "-u", "alice", "\\Flagged", "mailbox", "INBOX", "uid", "1")
        self.dovecot.doveadm("flags", "add", "-u", "alice", "\\Deleted", "mailbox", "INBOX", "uid", "2")
        # a flag and a keyword set together are one FlagsSet
        self.assertEqual(self.alice_events(), [("MessageRead", "INBOX", 1), ("FlagsSet", "INBOX", 1),
                                               ("FlagsClear", "INBOX", 1), ("MessageTrash", "INBOX", 2)])

    def test_recent_is_never_an_event(self):
        self.dovecot.deliver_lmtp()
        self.alice_events()
        # SELECT (not EXAMINE) clears \\Recent for the session: no event
        client = self.imap()
        client.select("INBOX")
        client.logout()
        self.assertEqual(self.alice_events(), [])

    def test_expunge_of_several_messages(self):
        for _ in range(3):
            self.dovecot.deliver_lmtp()
        self.alice_events()
        self.dovecot.doveadm("expunge", "-u", "alice", "mailbox", "INBOX", "uid", "1:3")
        self.assertEqual(self.alice_events(), [("MessageExpunge", "INBOX", 1), ("MessageExpunge", "INBOX", 2),
                                               ("MessageExpunge", "INBOX", 3)])


class StoreOverImap(EventsTestCase):
    """Flag changes by IMAP STORE. The storing session has the mailbox
    selected, which by default keeps its events inband (draft §6; see
    test_presence.py); an operator can turn that off."""

    plugin_settings = {"lnotify_presence_inband_only": "no"}

    def test_store_flags(self):
        self.dovecot.deliver_lmtp()
        self.alice_events()
        client = self.imap()
        client.select("INBOX")
        for flags in ("+FLAGS (\\Seen)", "+FLAGS (\\Flagged $Work)", "-FLAGS (\\Flagged)",
                      "+FLAGS (\\Deleted)"):
            typ, data = client.uid("STORE", "1", *flags.split(" ", 1))
            self.assertEqual(typ, "OK", data)
        typ, data = client.expunge()
        self.assertEqual(typ, "OK", data)
        self.assertEqual(self.alice_events(), [("MessageRead", "INBOX", 1), ("FlagsSet", "INBOX", 1),
                                               ("FlagsClear", "INBOX", 1), ("MessageTrash", "INBOX", 1),
                                               ("MessageExpunge", "INBOX", 1)])


class MailboxEvents(EventsTestCase):
    """Events about no message follow presence too (draft §6): with no
    client of alice connected (doveadm is none) they go outband; the IMAP
    client's own are inband only while it is connected."""

    def test_create_rename_subscribe_delete(self):
        for command in (("create", "Projects"), ("rename", "Projects", "Done"), ("subscribe", "Done"),
                        ("unsubscribe", "Done"), ("delete", "Done")):
            self.dovecot.doveadm("mailbox", command[0], "-u", "alice", *command[1:])
        self.assertEqual(self.alice_events(), [("MailboxCreate", "Projects", 0), ("MailboxRename", "Done", 0),
                                               ("MailboxSubscribe", "Done", 0), ("MailboxUnSubscribe", "Done", 0),
                                               ("MailboxDelete", "Done", 0)])

    def test_connected_client_gets_its_mailbox_events_inband_only(self):
        client = self.imap()
        typ, data = client.create("Projects")
        self.assertEqual(typ, "OK", data)
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"A client of this user is connected: MailboxCreate is not notified outband"))
        self.assertEqual(self.alice_events(), [])

    def test_login_logout(self):
        before = len([n for n in self.dovecot.sent_notifications() if n["user"] == "alice"])
        client = self.dovecot.imap()
        client.logout()
        self.alice_events()
        sessions = [n["event"] for n in self.dovecot.sent_notifications() if n["user"] == "alice"][before:]
        # the session's own Login while it is connected: inband only; its
        # Logout, with nobody connected any more: outband
        self.assertEqual([e for e in sessions if e in ("Login", "Logout")], ["Logout"])


class NewOnly(EventsTestCase):
    event_filter = "NEW"

    def test_only_new_messages(self):
        self.dovecot.deliver_lmtp()
        self.dovecot.doveadm("flags", "add", "-u", "alice", "\\Seen", "mailbox", "INBOX", "uid", "1")
        self.dovecot.doveadm("copy", "-u", "alice", "Archive", "mailbox", "INBOX", "uid", "1")
        client = self.imap()
        client.create("Other")
        self.assertEqual(self.alice_events(), [("MessageNew", "INBOX", 1), ("MessageAppend", "Archive", 1)])


class NoEvents(EventsTestCase):
    event_filter = "NONE"

    def test_nothing(self):
        self.dovecot.deliver_lmtp()
        self.dovecot.doveadm("flags", "add", "-u", "alice", "\\Seen", "mailbox", "INBOX", "uid", "1")
        self.assertEqual(self.alice_events(), [])


class Rollback(EventsTestCase):
    # bob receives the barrier deliveries
    user_fields = {"bob": "userdb_quota_rule=*:messages=1000"}
    extra_conf = """
mail_plugins = $mail_plugins quota
plugin {
  quota = count:User quota
  quota_rule = *:messages=1
  quota_vsizes = yes
}
"""

    def test_rejected_delivery_emits_nothing(self):
        self.dovecot.deliver_lmtp()
        with self.assertRaises(Exception):
            self.dovecot.deliver_lmtp()  # over quota: 552, the transaction rolls back
        # the first delivery filled the quota; the refused one emits nothing
        self.assertEqual(self.alice_events(), [("MessageNew", "INBOX", 1), ("QuotaExceed", "", 0)])


class QuotaEvents(EventsTestCase):
    user_fields = Rollback.user_fields
    extra_conf = Rollback.extra_conf.replace("messages=1\n", "messages=2\n")

    def test_exceed_within_and_change(self):
        self.dovecot.deliver_lmtp()
        self.dovecot.deliver_lmtp()
        self.assertEqual(self.alice_events(), [("MessageNew", "INBOX", 1), ("MessageNew", "INBOX", 2),
                                               ("QuotaExceed", "", 0)])
        self.dovecot.doveadm("expunge", "-u", "alice", "mailbox", "INBOX", "uid", "1")
        self.assertEqual(self.alice_events(), [("MessageExpunge", "INBOX", 1), ("QuotaWithin", "", 0)])
        # the administrator raises alice's limit (a userdb field)
        self.dovecot.set_user_fields("alice", "userdb_quota_rule=*:messages=10")
        self.dovecot.deliver_lmtp()
        self.assertEqual(self.alice_events(), [("MessageNew", "INBOX", 3), ("QuotaChange", "", 0)])


if __name__ == "__main__":
    unittest.main()

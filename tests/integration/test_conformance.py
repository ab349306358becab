"""Issue 22: draft conformance, round 2, end to end on a real Dovecot.

- §10 tracking that acts: a delivery into "Work" (the only mailbox with a
  channel) is reminded reminder_limit times, reminder_interval apart, and
  no more; a SELECT of Work answers the ledger (INBOX has no channel), so
  the next notification is a full xemn again;
- §3 types hold for expunges: the expunge of a hidden (type A) or
  inband-only (type B) message, by doveadm with no client connected, is not
  notified; the visible message's is;
- §6 presence holds for events about no message: a client's own Login is
  never sent outband (so it never waits in the ledger), mailbox events while
  a client is connected are inband only, and go outband once none is;
- order: concurrent LMTP sessions for one user are notified in the order
  their transactions committed (UID order).

Every count is decided by log lines the dispatcher and the plugin write, or
by datagrams that arrived, never by a guessed sleep; the few checks that
something does NOT happen wait a bounded time that cannot make them fail
wrongly."""

import re
import subprocess
import threading
import time
import unittest
import xml.dom.minidom

from lnotify_harness import ADDRESS, CHANNEL, DOMAIN, DovecotTestCase, parse_emn, sample_message

EVENT_FILTER = "/private/notify/event/filter"
VIEW = "/private/notify/view"
OUTBAND_FILTER = "/private/notify/outband/filter"


def xemn_of(datagram):
    """The xemn document's root element, or None for anything else."""
    root = xml.dom.minidom.parseString(datagram.decode("utf-8")).documentElement
    return root if root.tagName == "xemn" else None


class Reminders(DovecotTestCase):
    INTERVAL = 2
    dispatch_settings = {"reminder_interval": str(INTERVAL), "reminder_limit": "2",
                         "unanswered_limit": "3", "wakeup_interval": "3600", "rate_limit": "0"}

    def setUp(self):
        super().setUp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        client = self.dovecot.imap()
        typ, data = client.create("Work")
        self.assertEqual(typ, "OK", data)
        for entry, value in ((CHANNEL, "UDP=EXTENDED"), (ADDRESS, self.sink.address)):
            typ, data = self.dovecot.set_metadata(client, "Work", entry, value)
            self.assertEqual(typ, "OK", data)
        client.logout()

    def deliver_to_work(self, subject):
        result = subprocess.run(
            ["/usr/lib/dovecot/dovecot-lda", "-c", self.dovecot.conf, "-d", "alice", "-m", "Work",
             "-f", "sender@example.org"],
            input=sample_message(subject=subject).encode(), capture_output=True, timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)

    def receive(self):
        datagram = self.sink.receive(timeout=20)
        self.assertIsNotNone(datagram, "nothing arrived:\n" + self.dovecot.log())
        return datagram, time.monotonic()

    def test_reminded_limit_times_then_select_of_work_answers(self):
        # A session logged in before anything was sent: its login answers
        # nothing; its SELECT of Work later is the reaction.
        watcher = self.imap()
        self.assertIsNotNone(self.dovecot.wait_for_log(
            rf"client of alice@{DOMAIN} reacted \(login\): 0 unanswered"), self.dovecot.log())
        self.deliver_to_work("first")
        first, t0 = self.receive()
        self.assertEqual(xemn_of(first).getAttribute("view"), "Work")
        self.assertEqual(xemn_of(first).getAttribute("sequence-id"), "1")

        reminders = []
        for n in (1, 2):
            datagram, at = self.receive()
            self.assertIsNone(xemn_of(datagram), "a reminder is a wake-up")
            mailbox, _ = parse_emn(datagram)
            self.assertEqual(mailbox, f"mailat:alice@{DOMAIN}")
            reminders.append(at)
            self.assertIsNotNone(self.dovecot.wait_for_log(
                rf"Info: sent WAKEUP over UDP to {re.escape(self.sink.address)} \(user=\S+ "
                rf"mailbox=Work uid=0 event= seq={n + 1}, \d+ bytes; reminder {n} of 2[;)]"),
                self.dovecot.log())
        # never before reminder_interval (the dispatcher's clock; a little
        # slack for the datagrams' own way)
        self.assertGreaterEqual(reminders[0] - t0, self.INTERVAL - 0.2)
        self.assertGreaterEqual(reminders[1] - reminders[0], self.INTERVAL - 0.2)
        self.assertEqual(len(re.findall(r"reminder \d of 2 for alice@\S+ queued: no reaction since",
                                        self.dovecot.log())), 2)
        # reminder_limit = 2: the third would be due INTERVAL after the
        # second; three intervals pass without one.
        self.assertIsNone(self.sink.receive(timeout=3 * self.INTERVAL), self.dovecot.log())
        self.assertNotRegex(self.dovecot.log(), r"reminder 3 ")

        # Three unanswered (unanswered_limit = 3): the next one is a
        # periodic wake-up, and it arms no reminder.
        self.deliver_to_work("second")
        quiet, _ = self.receive()
        self.assertIsNone(xemn_of(quiet), "quiet: a wake-up")

        # A SELECT of Work is the client reacting, though INBOX has no
        # channel (draft §10, issue 22 item 2).
        typ, data = watcher.select("Work")
        self.assertEqual(typ, "OK", data)
        self.assertIsNotNone(self.dovecot.wait_for_log(
            rf"client of alice@{DOMAIN} reacted \(select\): 4 unanswered notification\(s\) answered"),
            self.dovecot.log())
        watcher.logout()  # presence: a selected Work would keep it inband

        self.deliver_to_work("third")
        third, _ = self.receive()
        self.assertIsNotNone(xemn_of(third), "answered: full xemn again")
        self.assertEqual(xemn_of(third).getAttribute("subject"), "third")


class RemindersOff(DovecotTestCase):
    dispatch_settings = {"reminder_interval": "0", "unanswered_limit": "0", "rate_limit": "0"}

    def test_no_reminder_with_interval_zero(self):
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        self.choose("UDP=WAKEUP", self.sink.address)
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.sink.receive(timeout=20))
        self.assertIsNone(self.sink.receive(timeout=3))
        self.assertNotRegex(self.dovecot.log(), r"reminder \d")


class TypesHoldForExpunges(DovecotTestCase):
    """alice wants every event on INBOX; filters decide the types."""

    def setUp(self):
        super().setUp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        self.client = self.imap()
        for name, program in (("boss", "FROM boss@example.org"), ("urgent", "SUBJECT urgent"),
                              ("everything", "ALL")):
            self.set("", f"/private/filters/values/{name}", program)
        for entry, value in ((CHANNEL, "UDP=EXTENDED"), (ADDRESS, self.sink.address),
                             (EVENT_FILTER, "ALL")):
            self.set("INBOX", entry, value)

    def set(self, mailbox, entry, value):
        typ, data = self.dovecot.set_metadata(self.client, mailbox, entry, value)
        self.assertEqual(typ, "OK", data)

    def deliver(self, subject, sender):
        self.dovecot.deliver_lmtp(message=sample_message(subject=subject, sender=sender))

    def message_notifications(self):
        return [(n["event"], int(n["uid"])) for n in self.dovecot.sent_notifications()
                if n["event"].startswith("Message")]

    def expunge_all_by_doveadm(self):
        """Expunges UIDs 1 and 2 with doveadm, nobody connected; returns the
        message notifications once UID 2's expunge went out (UID 1's, had it
        been queued, was queued before it in the same commit, and the
        dispatcher sends an account's notifications in order). doveadm logs
        its decisions to its own stderr, not to Dovecot's log."""
        self.client.logout()
        self.dovecot.doveadm("expunge", "-u", "alice", "mailbox", "INBOX", "uid", "1:2")
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"Info: sent EXTENDED over UDP .*mailbox=INBOX uid=2 event=MessageExpunge", timeout=20),
            self.dovecot.log())
        return self.message_notifications()

    def test_expunge_of_a_type_a_message_is_not_notified(self):
        self.set("INBOX", VIEW, "boss")
        self.deliver("hello", "friend@example.org")  # type A
        self.deliver("report", "boss@example.org")   # type C
        self.assertIsNotNone(self.dovecot.wait_for_log(r"INBOX UID 1 is in no view \(type A\)"))
        self.assertEqual(self.expunge_all_by_doveadm(), [("MessageNew", 2), ("MessageExpunge", 2)])

    def test_expunge_of_a_type_b_message_is_not_notified(self):
        self.set("INBOX", VIEW, "everything")
        self.set("INBOX", OUTBAND_FILTER, "urgent")
        self.deliver("lunch?", "friend@example.org")              # type B
        self.deliver("urgent: server down", "boss@example.org")   # type C
        self.assertIsNotNone(self.dovecot.wait_for_log(r"INBOX UID 1 misses the notification filter"))
        self.assertEqual(self.expunge_all_by_doveadm(), [("MessageNew", 2), ("MessageExpunge", 2)])

    def test_expunge_names_the_view_that_held_the_message(self):
        self.set("INBOX", VIEW, "urgent boss")
        self.deliver("weekly report", "boss@example.org")
        self.deliver("urgent: call me", "friend@example.org")
        self.assertIsNotNone(self.sink.receive(timeout=20))
        self.assertIsNotNone(self.sink.receive(timeout=20))
        self.expunge_all_by_doveadm()
        views = {}
        while len(views) < 2:  # the client's Logout comes before them
            datagram = self.sink.receive(timeout=20)
            self.assertIsNotNone(datagram, self.dovecot.log())
            root = xemn_of(datagram)
            if root is not None and root.getAttribute("event") == "MessageExpunge":
                views[int(root.getAttribute("uid"))] = root.getAttribute("view")
        self.assertEqual(views, {1: "boss", 2: "urgent"})


class PresenceForEventsAboutNoMessage(DovecotTestCase):
    dispatch_settings = {"unanswered_limit": "0", "rate_limit": "0", "reminder_interval": "0"}

    def setUp(self):
        super().setUp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        client = self.dovecot.imap()
        for entry, value in ((CHANNEL, "UDP=WAKEUP"), (ADDRESS, self.sink.address),
                             (EVENT_FILTER, "ALL")):
            typ, data = self.dovecot.set_metadata(client, "INBOX", entry, value)
            self.assertEqual(typ, "OK", data)
        client.logout()
        # that session's Logout: nobody else connected, so it is outband
        self.assertIsNotNone(self.sink.receive(timeout=20), self.dovecot.log())
        self.wait_sent(1)

    def wait_sent(self, count):
        deadline = time.time() + 20
        while len(self.dovecot.sent_notifications()) < count and time.time() < deadline:
            time.sleep(0.05)
        return self.dovecot.sent_notifications()

    def test_own_login_is_inband_and_never_unanswered(self):
        client = self.imap()
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"lnotify: A client of this user is connected: Login is not notified outband"))
        # while connected, a mailbox event (here by doveadm) is inband only
        self.dovecot.doveadm("mailbox", "create", "-u", "alice", "Projects")
        client.logout()
        # its Logout is queued once the session let go of its presence
        self.wait_sent(2)
        # nobody connected: outband again
        self.dovecot.doveadm("mailbox", "create", "-u", "alice", "Later")
        sent = self.wait_sent(3)
        self.assertEqual([(n["event"], n["mailbox"]) for n in sent],
                         [("Logout", ""), ("Logout", ""), ("MailboxCreate", "Later")])

    def test_own_login_answers_the_ledger_with_nothing_left(self):
        self.dovecot.deliver_lmtp()
        self.wait_sent(2)
        client = self.imap()
        self.assertIsNotNone(self.dovecot.wait_for_log(
            rf"client of alice@{DOMAIN} reacted \(login\): 2 unanswered notification\(s\) answered"))
        client.logout()
        sent = self.wait_sent(3)
        self.assertEqual([n["event"] for n in sent], ["Logout", "MessageNew", "Logout"])
        self.assertNotIn("Login", [n["event"] for n in self.dovecot.sent_notifications()])


class OwnLoginWithPresenceIgnored(DovecotTestCase):
    """lnotify_presence_inband_only = no: the session's own Login goes
    outband, but it was queued before the login's reaction, so it never
    counts as unanswered."""

    plugin_settings = {"lnotify_presence_inband_only": "no"}
    dispatch_settings = PresenceForEventsAboutNoMessage.dispatch_settings

    def test_own_login_is_sent_but_not_unanswered(self):
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        client = self.dovecot.imap()
        for entry, value in ((CHANNEL, "UDP=WAKEUP"), (ADDRESS, self.sink.address),
                             (EVENT_FILTER, "ALL")):
            typ, data = self.dovecot.set_metadata(client, "INBOX", entry, value)
            self.assertEqual(typ, "OK", data)
        client.logout()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"Info: sent WAKEUP over UDP .* event=Logout"))
        client = self.imap()
        # The login's reaction finds the Login queued (answered once sent)
        # or already sent (answered now): either way it is answered.
        self.assertIsNotNone(self.dovecot.wait_for_log(
            rf"client of alice@{DOMAIN} reacted \(login\): [12] unanswered notification\(s\) answered"))
        self.assertIsNotNone(self.dovecot.wait_for_log(r"Info: sent WAKEUP over UDP .* event=Login"))
        client.select("INBOX")
        self.assertIsNotNone(self.dovecot.wait_for_log(
            rf"client of alice@{DOMAIN} reacted \(select\): 0 unanswered notification\(s\) answered"),
            self.dovecot.log())


class CommitOrder(DovecotTestCase):
    """Concurrent LMTP sessions for one user: the notifications go out in
    the order the deliveries committed, which the UIDs record."""

    dispatch_settings = {"unanswered_limit": "0", "rate_limit": "0", "reminder_interval": "0"}
    ROUNDS = 10
    SESSIONS = 3

    def test_concurrent_lmtp_sessions_notified_in_commit_order(self):
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        self.choose("UDP=EXTENDED", self.sink.address)
        total = self.ROUNDS * self.SESSIONS
        for _ in range(self.ROUNDS):
            barrier = threading.Barrier(self.SESSIONS)
            errors = []

            def deliver(index):
                try:
                    barrier.wait(timeout=20)
                    self.dovecot.deliver_lmtp(message=sample_message(subject=f"concurrent {index}"))
                except Exception as e:  # reported below
                    errors.append(e)

            threads = [threading.Thread(target=deliver, args=(i,)) for i in range(self.SESSIONS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            self.assertEqual(errors, [])
        uids = []
        for _ in range(total):
            datagram = self.sink.receive(timeout=20)
            self.assertIsNotNone(datagram, self.dovecot.log())
            uids.append(int(xemn_of(datagram).getAttribute("uid")))
        self.assertEqual(uids, list(range(1, total + 1)), "sent in commit (UID) order")
        self.assertEqual([int(n["uid"]) for n in self.dovecot.sent_notifications()],
                         list(range(1, total + 1)))


if __name__ == "__main__":
    unittest.main()

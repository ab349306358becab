"""Issue 22 item 7: claims the manual makes that had no test.

- MessageExpire is an expunge by Dovecot's autoexpunge;
- POP3 sessions are Login and Logout events;
- Sieve fileinto saves as a delivery: MessageNew in the target mailbox.
"""

import poplib
import subprocess
import time
import unittest

import test_sieve
from lnotify_harness import ADDRESS, CHANNEL, DovecotTestCase, sample_message

EVENT_FILTER = "/private/notify/event/filter"


def sent_events(dovecot, user="alice"):
    return [(n["event"], n["mailbox"], int(n["uid"])) for n in dovecot.sent_notifications()
            if n["user"].startswith(user)]


def wait_sent(test, count, user="alice"):
    deadline = time.time() + 20
    while len(sent_events(test.dovecot, user)) < count and time.time() < deadline:
        time.sleep(0.05)
    events = sent_events(test.dovecot, user)
    test.assertGreaterEqual(len(events), count, test.dovecot.log())
    return events


class AutoexpungeIsMessageExpire(DovecotTestCase):
    extra_conf = """
namespace inbox {
  mailbox Trash {
    auto = create
    autoexpunge = 1s
  }
}
"""
    dispatch_settings = {"unanswered_limit": "0", "rate_limit": "0", "reminder_interval": "0"}

    def test_autoexpunge_is_message_expire(self):
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        client = self.dovecot.imap()
        for entry, value in ((CHANNEL, "UDP=WAKEUP"), (ADDRESS, self.sink.address),
                             (EVENT_FILTER, "ALL")):
            typ, data = self.dovecot.set_metadata(client, "Trash", entry, value)
            self.assertEqual(typ, "OK", data)
        client.logout()
        result = subprocess.run(
            ["/usr/lib/dovecot/dovecot-lda", "-c", self.dovecot.conf, "-d", "alice", "-m", "Trash",
             "-f", "sender@example.org"],
            input=sample_message(subject="old news").encode(), capture_output=True, timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        events = wait_sent(self, 1)
        self.assertEqual(events, [("MessageNew", "Trash", 1)])
        # autoexpunge = 1s expunges what has been in Trash longer than a
        # second when an IMAP session of the user ends; after 1.5 s the
        # message is that old whatever the machine's load
        time.sleep(1.5)
        self.dovecot.imap().logout()
        events = wait_sent(self, 2)
        self.assertEqual(events, [("MessageNew", "Trash", 1), ("MessageExpire", "Trash", 1)])


class Pop3Sessions(DovecotTestCase):
    """POP3 logins are sessions: Login and Logout (RFC 5423 §4.5). Presence
    is ignored here, so the session's own Login goes outband too."""

    extra_conf = """
protocols = $protocols pop3
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = @SIEVE_PORT@
  }
}
pop3_uidl_format = %08Xu%08Xv
"""
    plugin_settings = {"lnotify_presence_inband_only": "no"}
    dispatch_settings = {"unanswered_limit": "0", "rate_limit": "0", "reminder_interval": "0"}

    def test_pop3_login_and_logout(self):
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        client = self.dovecot.imap()
        for entry, value in ((CHANNEL, "UDP=WAKEUP"), (ADDRESS, self.sink.address),
                             (EVENT_FILTER, "ALL")):
            typ, data = self.dovecot.set_metadata(client, "INBOX", entry, value)
            self.assertEqual(typ, "OK", data)
        client.logout()
        before = len(wait_sent(self, 1))  # that IMAP session's Logout
        pop = poplib.POP3("127.0.0.1", self.dovecot.sieve_port, timeout=20)
        pop.user("alice")
        pop.pass_("alicepw")
        pop.quit()
        events = wait_sent(self, before + 2)[before:]
        self.assertEqual(events, [("Login", "", 0), ("Logout", "", 0)])
        self.assertRegex(self.dovecot.log(), r"pop3\(alice\)<\d+><[^>]*>: Debug: lnotify: Queued "
                                             r"notification for mailbox  UID 0")


class SieveFileintoIsMessageNew(test_sieve.SieveTestCase):
    def test_fileinto_is_message_new_in_the_target(self):
        client = self.imap()
        self.assertEqual(client.create("Work")[0], "OK")
        for entry, value in ((CHANNEL, "UDP=EXTENDED"), (ADDRESS, self.sink.address)):
            typ, data = self.dovecot.set_metadata(client, "Work", entry, value)
            self.assertEqual(typ, "OK", data)
        client.logout()
        self.upload_ok("work", 'require "fileinto";\nfileinto "Work";\n')
        self.dovecot.deliver_lmtp(message=sample_message(subject="filed"))
        xemn = self.xemn(timeout=20)
        self.assertEqual((xemn.getAttribute("event"), xemn.getAttribute("view"),
                          xemn.getAttribute("uid"), xemn.getAttribute("subject")),
                         ("MessageNew", "Work", "1", "filed"))
        self.assertEqual(wait_sent(self, 1), [("MessageNew", "Work", 1)])


if __name__ == "__main__":
    unittest.main()

"""Issue 4: while a client has the mailbox selected (or idles in it), events
there go inband only; when its process dies, outband resumes (draft §3, §6)."""

import os
import re
import signal
import socket
import time
import unittest

from lnotify_harness import ADDRESS, CHANNEL, DovecotTestCase


class Presence(DovecotTestCase):
    def setUp(self):
        super().setUp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        self.choose("UDP=WAKEUP", self.sink.address)

    def idle(self, client):
        client.select("INBOX")
        client.send(b"i1 IDLE\r\n")
        self.assertTrue(client.readline().startswith(b"+"), "IDLE was not accepted")

    def imap_pid(self):
        pids = re.findall(r"imap\(alice\)<(\d+)>", self.dovecot.log())
        self.assertTrue(pids, "no imap process in the log")
        return int(pids[-1])

    def test_idle_client_gets_inband_only(self):
        client = self.imap()
        self.idle(client)
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        client.sock.settimeout(10)
        self.assertRegex(client.readline(), rb"^\* 1 EXISTS", "the IDLE client did not see the new mail")
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify: A client has INBOX selected: inband only"))
        self.assertEqual(self.dovecot.spool_entries("incoming") + self.dovecot.spool_entries("active"), [])
        self.assertNotRegex(self.dovecot.log(), r"Queued notification")

        # The client's process dies: the next delivery is notified outband.
        os.kill(self.imap_pid(), signal.SIGKILL)
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        self.assertIsNotNone(self.sink.receive(timeout=10), "no outband notification after the client died")

    def test_other_mailbox_selected_does_not_count(self):
        client = self.imap()
        client.create("Archive")
        client.select("Archive")
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.sink.receive(timeout=10))

    def test_unselect_and_logout_release_presence(self):
        client = self.imap()
        client.select("INBOX")
        client.close()  # CLOSE: no mailbox selected any more
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.sink.receive(timeout=10))
        client.select("INBOX")
        client.logout()
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.sink.receive(timeout=10))


class HibernatedSession(DovecotTestCase):
    """An IDLE session that Dovecot hibernates (imap_hibernate_timeout)
    has no imap process any more, so it holds no presence lock: it counts
    as absent and a delivery is notified outband, while the client still
    sees the mail when imap-hibernate wakes the session. Hibernating is no
    Logout; the restored session's end is."""

    extra_conf = """
imap_hibernate_timeout = 1s
service imap-hibernate {
  unix_listener imap-hibernate {
    mode = 0666
  }
}
service imap {
  unix_listener imap-master {
    mode = 0666
  }
}
"""
    dispatch_settings = {"unanswered_limit": "0", "rate_limit": "0", "reminder_interval": "0"}

    def events(self, count):
        deadline = time.time() + 20
        while len(self.dovecot.sent_notifications()) < count and time.time() < deadline:
            time.sleep(0.05)
        return [n["event"] for n in self.dovecot.sent_notifications()]

    imap_pid = Presence.imap_pid

    def test_hibernated_session_counts_as_absent(self):
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        setup = self.dovecot.imap()
        for entry, value in ((CHANNEL, "UDP=WAKEUP"), (ADDRESS, self.sink.address),
                             ("/private/notify/event/filter", "ALL")):
            typ, data = self.dovecot.set_metadata(setup, "INBOX", entry, value)
            self.assertEqual(typ, "OK", data)
        setup.logout()
        self.assertEqual(self.events(1), ["Logout"])
        client = self.imap()
        client.select("INBOX")
        pid = self.imap_pid()
        client.send(b"i1 IDLE\r\n")
        self.assertTrue(client.readline().startswith(b"+"), "IDLE was not accepted")
        # hibernated: the session's imap process hands it over and ends
        deadline = time.time() + 20
        while os.path.exists(f"/proc/{pid}") and time.time() < deadline:
            time.sleep(0.05)
        self.assertFalse(os.path.exists(f"/proc/{pid}"), "the session was not hibernated")
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        self.assertEqual(self.events(2), ["Logout", "MessageNew"],
                         "absent while hibernated, and hibernating is no Logout")
        client.sock.settimeout(20)
        self.assertRegex(client.readline(), rb"^\* 1 EXISTS", "the woken session did not see the mail")
        client.send(b"DONE\r\n")
        line = client.readline()
        while line.startswith(b"* "):  # the rest of the untagged news
            line = client.readline()
        self.assertRegex(line, rb"^i1 OK")
        client.logout()
        self.assertEqual(self.events(3), ["Logout", "MessageNew", "Logout"])


class PresenceIgnored(DovecotTestCase):
    plugin_settings = {"lnotify_presence_inband_only": "no"}

    def test_outband_while_selected(self):
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        self.choose("UDP=WAKEUP", self.sink.address)
        client = self.imap()
        client.select("INBOX")
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.sink.receive(timeout=10))


if __name__ == "__main__":
    unittest.main()

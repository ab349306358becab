"""Issue 4: while a client has the mailbox selected (or idles in it), events
there go inband only; when its process dies, outband resumes (draft §3, §6)."""

import os
import re
import signal
import socket
import unittest

from lnotify_harness import DovecotTestCase


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

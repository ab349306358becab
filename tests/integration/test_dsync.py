"""dsync writes lnotify's METADATA through the same check as SETMETADATA
(doc/metadata.md: "from IMAP, doveadm and dsync alike").

A replica of alice's mail is kept by a second configuration without lnotify
(so it stores whatever it is given, as a backend running an older build or
none would). The replica is made by dsync itself, so both sides share the
mailbox GUIDs the attribute keys are made of. Values written on the replica
then travel back by `doveadm sync`: a valid one is taken, a bad one is
refused with lnotify's error and leaves the value that was there.
"""

import os
import re
import subprocess
import unittest

from lnotify_harness import ADDRESS, CHANNEL, DovecotTestCase

FILTER = "/private/notify/outband/filter"


class DsyncWrites(DovecotTestCase):
    def setUp(self):
        super().setUp()
        self.choose("UDP=WAKEUP", f"127.0.0.1:{self.sink.port}")
        self.replica_conf = self._replica_conf()
        # the replica starts as a copy made by dsync: same GUIDs, same values
        self._dsync(self.replica_conf, self.dovecot.conf)
        self.assertEqual(self._replica_value(CHANNEL), "UDP=WAKEUP")

    def _replica_conf(self):
        """This instance's configuration with lnotify left out, its own
        Maildir and its own attribute dictionary."""
        with open(self.dovecot.conf) as f:
            text = f.read()
        text = re.sub(r"(?m)^mail_location = .*$", "mail_location = maildir:~/Replica", text)
        text = re.sub(r"(?m)^!include .*$",
                      "imap_metadata = yes\nmail_attribute_dict = file:%h/replica-attributes", text)
        text = re.sub(r"(?ms)^service lnotify-dispatch \{.*?^\}\n", "", text)
        path = os.path.join(self.dovecot.root, "replica.conf")
        with open(path, "w") as f:
            f.write(text)
        return path

    def _dsync(self, local_conf, remote_conf):
        """doveadm sync between the two configurations, the remote side a
        dsync-server started as a command. env -i: a doveadm started by
        doveadm would otherwise take its settings from the environment
        (DOVECONF_ENV) instead of from -c."""
        remote = (f"env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "
                  f"doveadm -c {remote_conf} dsync-server -u alice")
        return subprocess.run(["doveadm", "-c", local_conf, "sync", "-u", "alice", remote],
                              capture_output=True, text=True, timeout=120)

    def _replica_set(self, entry, value, mailbox="INBOX"):
        server = ["-s"] if mailbox == "" else []
        subprocess.run(["doveadm", "-c", self.replica_conf, "mailbox", "metadata", "set",
                        "-u", "alice", *server, mailbox, entry, value], check=True,
                       capture_output=True, timeout=60)

    def _replica_value(self, entry):
        out = subprocess.run(["doveadm", "-c", self.replica_conf, "-f", "flow", "mailbox",
                              "metadata", "get", "-u", "alice", "INBOX", entry],
                             check=True, capture_output=True, text=True, timeout=60).stdout
        return out.strip().removeprefix("value=")

    def _value(self, entry, mailbox="INBOX"):
        client = self.imap()
        typ, values, text = self.dovecot.get_metadata(client, mailbox, [entry])
        self.assertEqual(typ, "OK", text)
        return values.get(entry)

    def test_valid_value_is_taken(self):
        self._replica_set(ADDRESS, "127.0.0.1:9")
        result = self._dsync(self.dovecot.conf, self.replica_conf)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self._value(ADDRESS), "127.0.0.1:9")

    def test_bad_value_is_refused_with_lnotify_error(self):
        self._replica_set(CHANNEL, "BOGUS=WAKEUP")
        result = self._dsync(self.dovecot.conf, self.replica_conf)
        self.assertIn('Failed to set attribute notify/outband/channel', result.stderr)
        self.assertIn('unknown channel "BOGUS"', result.stderr)
        self.assertEqual(self._value(CHANNEL), "UDP=WAKEUP")
        # and the user is still notified as before
        self.dovecot.deliver_lmtp()
        self.assertIn(b"emn", self.sink.receive().lower())

    def test_bad_filter_search_is_refused(self):
        # an RFC 5466 filter whose search program does not parse
        # (a server entry: SETMETADATA "" in IMAP, -s "" in doveadm)
        self._replica_set("/private/filters/values/boss", "FROM", mailbox="")
        result = self._dsync(self.dovecot.conf, self.replica_conf)
        self.assertIn("not a", result.stderr)
        self.assertIsNone(self._value("/private/filters/values/boss", mailbox=""))
        # a filter that parses is taken
        self._replica_set("/private/filters/values/boss", "FROM boss@example.org", mailbox="")
        result = self._dsync(self.dovecot.conf, self.replica_conf)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self._value("/private/filters/values/boss", mailbox=""),
                         "FROM boss@example.org")


if __name__ == "__main__":
    unittest.main()

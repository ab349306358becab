"""Server-to-server notifications (draft §14, issue 13) and the HTTP channel
(issue 7 item 5), end to end: IMAP and LMTP actions on a real Dovecot, the
dispatcher POSTing signed JSON requests to an HTTP receiver started by the
test (s2s_receiver.py), which verifies every signature and its replay window
and de-duplicates by sequence-id.

- one request per draft §14.4 event, in order, exactly once, with the §14.6
  complementary information, the mailbox status and an imap:// URL that
  fetches the message over IMAP;
- MWI updates: ON after a delivery, OFF once every message is \\Seen, sent
  only when the state changes;
- the receiver down for a while (connection refused): nothing lost, order kept;
- a 400 answer is a request error: not retried, logged, counted
  (lnotify_s2s_request_error), and the next request goes;
- users cannot choose HTTP as their own channel (SETMETADATA refuses it).
"""

import imaplib
import os
import re
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))

from lnotify_harness import CHANNEL, Dovecot, free_port, sample_message  # noqa: E402
from s2s_receiver import Receiver  # noqa: E402

SECRET = "s2s-test-secret-0123456789"
QUOTA_CONF = """
mail_plugins = $mail_plugins quota
# the snippet's protocol imap block was read before the line above
protocol imap {
  mail_plugins = $mail_plugins quota
}
plugin {
  quota = count:User quota
  quota_rule = *:messages=@QUOTA@
  quota_vsizes = yes
}
metric s2s_sent {
  filter = event=lnotify_s2s_sent
}
metric s2s_request_error {
  filter = event=lnotify_s2s_request_error
}
metric s2s_retried {
  filter = event=lnotify_s2s_retried
}
"""
EVENTS = "/events"
MWI = "/mwi"


class ServerToServerTestCase(unittest.TestCase):
    quota_messages = 1000
    dispatch_settings = {"retry_base": "1", "retry_max": "2"}
    events = "MessageNew,Login,Logout,MessageRead,MessageTrash,MessageExpunge,QuotaExceed,QuotaWithin"

    def setUp(self):
        self.receiver = Receiver(SECRET, free_port()).start()
        self.addCleanup(self.receiver.stop)
        self.dovecot = Dovecot(extra_conf=QUOTA_CONF.replace("@QUOTA@", str(self.quota_messages)), user_fields={"bob": "userdb_quota_rule=*:messages=1000"})
        self.addCleanup(self.dovecot.cleanup)
        secret_file = os.path.join(self.dovecot.root, "s2s.secret")
        with open(secret_file, "w") as f:
            f.write(SECRET + "\n")
        import grp
        os.chown(secret_file, 0, grp.getgrnam("dovecot").gr_gid)
        os.chmod(secret_file, 0o640)
        url = f"http://127.0.0.1:{self.receiver.port}"
        self.dovecot.dispatch_settings.update(self.dispatch_settings)
        self.dovecot.dispatch_settings["imap_host"] = f"127.0.0.1:{self.dovecot.imap_port}"
        # Two targets: the events service, and an MWI service. The harness
        # writes one line per key, so the second target rides on a
        # continuation the parser sees as its own line.
        self.dovecot.dispatch_settings["s2s_target"] = (
            f"ums url={url}{EVENTS} secret_file={secret_file} events={self.events} timeout=5\n"
            f"s2s_target = mwi url={url}{MWI} secret_file={secret_file} events=MWI timeout=5")
        self.dovecot.write_dispatch_conf()
        self.dovecot.start()

    def tearDown(self):
        result = self._outcome.result
        if any(test is self for test, _ in result.failures + result.errors):
            print(f"\n---- Dovecot log for {self.id()} ----\n{self.dovecot.log()}---- end of log ----")

    def imap(self, user="alice"):
        client = self.dovecot.imap(user)
        self.addCleanup(lambda: _quietly(client.logout))
        return client

    def summary(self, docs):
        return [(d["event"], d.get("uidset")) for d in docs]

    def stats(self):
        out = self.dovecot.doveadm("stats", "dump")
        return {line.split("\t")[0]: int(line.split("\t")[2]) for line in out.splitlines()[1:]
                if line.split("\t")[1] == "duration"}


def _quietly(call):
    try:
        call()
    except Exception:
        pass


class Events(ServerToServerTestCase):
    quota_messages = 2  # the second delivery fills the mailbox
    def test_every_draft_event_once_in_order_with_a_working_url(self):
        client = self.dovecot.imap()  # Login
        self.dovecot.deliver_lmtp(message=sample_message(subject="first s2s"))   # MessageNew 1
        self.dovecot.deliver_lmtp(message=sample_message(subject="second s2s"))  # MessageNew 2, QuotaExceed
        client.select("INBOX")
        client.uid("STORE", "1", "+FLAGS", "(\\Seen)")     # MessageRead 1
        client.uid("STORE", "2", "+FLAGS", "(\\Deleted)")  # MessageTrash 2
        client.expunge()                                   # MessageExpunge 2, QuotaWithin
        client.logout()                                    # Logout
        expected = [("Login", None), ("MessageNew", "1"), ("MessageNew", "2"), ("QuotaExceed", None),
                    ("MessageRead", "1"), ("MessageTrash", "2"), ("MessageExpunge", "2"),
                    ("QuotaWithin", None), ("Logout", None)]
        docs = self.receiver.wait_for(EVENTS, len(expected))
        self.assertEqual(self.summary(docs), expected)
        time.sleep(2)  # nothing more, no duplicate
        self.assertEqual(len(self.receiver.arrivals_on(EVENTS)), len(expected))
        self.assertEqual(self.receiver.rejected, [])

        # draft §14.6: whose mailbox, whom to inform, what to do
        for doc in docs:
            self.assertEqual(doc["user"], "alice@example.test")
            self.assertEqual(doc["inform"], ["alice@example.test"])
            self.assertEqual(doc["action"], "notify")
        self.assertEqual([d["sequence-id"] for d in docs], list(range(1, len(expected) + 1)))
        new1, new2 = docs[1], docs[2]
        self.assertEqual((new1["mailbox"], new1["messages"], new1["unseen"]), ("INBOX", 1, 1))
        self.assertEqual((new2["messages"], new2["unseen"]), (2, 2))
        self.assertEqual(new1["subject"], "first s2s")
        self.assertEqual(new1["sender"], "Big Boss <boss@example.org>")
        self.assertRegex(new1["datetime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual((docs[4]["messages"], docs[4]["unseen"]), (2, 1))  # after MessageRead 1
        self.assertEqual((docs[6]["messages"], docs[6]["unseen"]), (1, 0))  # after the purge

        # the RFC 5092 URL fetches the message
        url = urllib.parse.urlsplit(new1["uri"])
        self.assertEqual(url.scheme, "imap")
        # the Dovecot login name: alice over IMAP, alice@example.test over LMTP
        self.assertEqual(urllib.parse.unquote(url.username), "alice@example.test")
        self.assertEqual(url.port, self.dovecot.imap_port)
        match = re.fullmatch(r"/([^;/]+);UIDVALIDITY=(\d+)/;UID=(\d+)", url.path)
        self.assertIsNotNone(match, new1["uri"])
        mailbox, uidvalidity, uid = urllib.parse.unquote(match[1]), match[2], match[3]
        login = urllib.parse.unquote(url.username)
        fetcher = imaplib.IMAP4(url.hostname, url.port)
        self.addCleanup(lambda: _quietly(fetcher.logout))
        fetcher.login(login, login.split("@")[0] + "pw")
        typ, _ = fetcher.select(mailbox, readonly=True)
        self.assertEqual(typ, "OK")
        typ, data = fetcher.response("UIDVALIDITY")
        self.assertEqual(data[0].decode(), uidvalidity)
        typ, data = fetcher.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertEqual(typ, "OK")
        self.assertIn(b"Subject: first s2s", data[0][1])

    def test_users_cannot_choose_http(self):
        client = self.imap()
        typ, data = self.dovecot.set_metadata(client, "INBOX", CHANNEL, "HTTP=EXTENDED")
        self.assertEqual(typ, "NO", data)
        self.assertIn(b"HTTP is not a channel users choose", data[0])


class Mwi(ServerToServerTestCase):
    events = "MessageNew"

    def test_on_after_delivery_off_once_all_seen(self):
        self.dovecot.deliver_lmtp()
        on = self.receiver.wait_for(MWI, 1)
        self.assertEqual(len(on), 1)
        self.assertEqual((on[0]["action"], on[0]["messages-waiting"], on[0]["unseen"], on[0]["messages"]),
                         ("mwi", "yes", 1, 1))
        self.assertEqual(on[0]["uri"], f"imap://alice%40example.test@127.0.0.1:{self.dovecot.imap_port}/")
        self.dovecot.deliver_lmtp()  # still ON: no update
        self.receiver.wait_for(EVENTS, 2)
        client = self.imap()
        client.select("INBOX")
        client.uid("STORE", "1", "+FLAGS", "(\\Seen)")  # one unseen left: still ON
        client.uid("STORE", "2", "+FLAGS", "(\\Seen)")  # all read: OFF
        docs = self.receiver.wait_for(MWI, 2)
        self.assertEqual([(d["messages-waiting"], d["unseen"], d["messages"]) for d in docs],
                         [("yes", 1, 1), ("no", 0, 2)])
        self.assertEqual(docs[1]["event"], "MessageRead")
        time.sleep(2)
        self.assertEqual(len(self.receiver.arrivals_on(MWI)), 2)


class ReceiverDown(ServerToServerTestCase):
    events = "MessageNew"

    def test_nothing_lost_and_order_kept(self):
        self.dovecot.deliver_lmtp(message=sample_message(subject="before"))
        self.assertEqual(len(self.receiver.wait_for(EVENTS, 1)), 1)
        self.receiver.stop()  # connection refused from now on
        for i in range(4):
            self.dovecot.deliver_lmtp(message=sample_message(subject=f"while down {i}"))
        self.assertIsNotNone(self.dovecot.wait_for_log(r"notification deferred .*target ums: .*[Cc]onnect"))
        time.sleep(3)  # a few retries against the closed port
        self.receiver.start()
        docs = self.receiver.wait_for(EVENTS, 5, timeout=30)
        self.assertEqual([d["subject"] for d in docs],
                         ["before"] + [f"while down {i}" for i in range(4)])
        self.assertEqual([d["sequence-id"] for d in docs], [1, 2, 3, 4, 5])
        deadline = time.time() + 10
        while self.stats().get("s2s_sent", 0) < 5 + 2 and time.time() < deadline:
            time.sleep(0.2)
        counts = self.stats()
        self.assertGreaterEqual(counts.get("s2s_retried", 0), 1, counts)


class RequestError(ServerToServerTestCase):
    events = "MessageNew"

    def test_400_is_not_retried(self):
        # Only the ums target (EVENTS) gets the 400: the MWI target posts the
        # same delivery's MWI update to its own path at the same time.
        self.receiver.answers = {EVENTS: [400]}
        self.dovecot.deliver_lmtp(message=sample_message(subject="refused"))
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"notification dropped .*request error: target ums answered HTTP 400: \"refused: unknown event attribute\""))
        self.dovecot.deliver_lmtp(message=sample_message(subject="accepted"))
        docs = self.receiver.wait_for(EVENTS, 1)
        self.assertEqual([d["subject"] for d in docs], ["accepted"])
        time.sleep(3)  # retry_base = 1: a retry would have come by now
        arrivals = self.receiver.arrivals_on(EVENTS)
        self.assertEqual([(a[2]["subject"], a[3]) for a in arrivals], [("refused", 400), ("accepted", 200)])
        deadline = time.time() + 10
        while self.stats().get("s2s_request_error", 0) < 1 and time.time() < deadline:
            time.sleep(0.2)
        self.assertEqual(self.stats().get("s2s_request_error"), 1)


if __name__ == "__main__":
    unittest.main()

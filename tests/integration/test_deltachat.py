"""Issue 24: Delta Chat push. A Delta Chat client's exact command sequence
(chatmail/core src/imap.rs: CAPABILITY, the GETMETADATA "" loop,
SETMETADATA "INBOX" (/private/devicetoken {N+} literal)) against a real
Dovecot, and a local notifier (deltachat_notifier.py) in place of
notifications.delta.chat."""

import base64
import hashlib
import os
import re
import signal
import time

from deltachat_notifier import DeltaChatNotifier
from lnotify_harness import DovecotTestCase, RawImap, sample_message, utc_seconds

SERVER_ENTRIES = ("/shared/comment /shared/admin /shared/vendor/deltachat/irohrelay "
                  "/shared/vendor/deltachat/turn /shared/vendor/deltachat/maxsmtprecipients "
                  "/shared/vendor/deltachat/appversions")


def make_token(seed):
    """A token of the form the client stores: "openpgp:" and the base64 of
    an OpenPGP message (here deterministic bytes of a similar size)."""
    data = b"".join(hashlib.sha256(f"{seed}-{i}".encode()).digest() for i in range(20))
    return "openpgp:" + base64.b64encode(data).decode()


def token_id(token):
    """FNV-1a 64 in hex, as lnotify names a device (lnotify/deltachat.h)."""
    h = 0xcbf29ce484222325
    for b in token.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


class DeltaChatClient(RawImap):
    """What chatmail/core sends, in its order."""

    def capabilities(self):
        untagged, _ = self.command("CAPABILITY")
        line = next(l for l in untagged if l.startswith("* CAPABILITY "))
        return line.split()[2:]

    def server_metadata(self):
        untagged, tagged = self.command(f'GETMETADATA "" ({SERVER_ENTRIES})')
        return untagged, tagged

    def register(self, token):
        # chatmail/core format_setmetadata: a non-synchronizing literal
        data = token.encode()
        return self.command(f'SETMETADATA "INBOX" (/private/devicetoken {{{len(data)}+}}\r\n{token})')

    def try_register(self, token):
        try:
            self.register(token)
            return None
        except RuntimeError as e:
            return str(e)

    def devicetoken(self):
        untagged, _ = self.command('GETMETADATA "INBOX" (/private/devicetoken)')
        for line in untagged:
            m = re.match(r'\* METADATA "?INBOX"? \(/private/devicetoken (.*)\)\r\n$', line, re.S)
            if m:
                value = m.group(1)
                if value == "NIL":
                    return None
                lit = re.match(r"\{\d+\}\r\n(.*)$", value, re.S)
                if lit:
                    return lit.group(1)
                return value.strip('"')
        return None


class DeltaChatTestCase(DovecotTestCase):
    dispatch_extra = {}

    def setUp(self):
        self.notifier = DeltaChatNotifier().start()
        self.addCleanup(self.notifier.stop)
        self.dispatch_settings = {
            "channels": "UDP DELTACHAT",
            "deltachat_notifier_url": self.notifier.url,
            "deltachat_maxsmtprecipients": "50",
            "unanswered_limit": "0",
            "rate_limit": "0",
            **self.dispatch_extra,
        }
        super().setUp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))

    def client(self, user="alice"):
        c = DeltaChatClient(self.dovecot.imap_port, user)
        self.addCleanup(c.close)
        return c

    def device(self, token, user="alice"):
        """A device's session up to its registration, as the client does it."""
        c = self.client(user)
        self.assertIn("XDELTAPUSH", c.capabilities())
        c.server_metadata()
        c.register(token)
        return c

    def sent(self):
        return [n for n in self.dovecot.sent_notifications() if n["channel"] == "DELTACHAT"]

    def wait_sent(self, count, timeout=20.0):
        deadline = time.time() + timeout
        while len(self.sent()) < count and time.time() < deadline:
            time.sleep(0.05)
        return self.sent()


class ClientSequence(DeltaChatTestCase):
    def test_capability_server_entries_and_token_read_back(self):
        c = self.client()
        caps = c.capabilities()
        self.assertIn("XDELTAPUSH", caps)
        self.assertIn("METADATA", caps)
        untagged, tagged = c.server_metadata()
        self.assertIn("OK", tagged)
        text = "".join(untagged)
        self.assertRegex(text, r"/shared/vendor/deltachat/maxsmtprecipients (\"50\"|\{2\}\r\n50) ")
        token = make_token("a")
        c.register(token)
        self.assertEqual(c.devicetoken(), token)
        # the device's entry is kept under a name of its own, invisible to clients
        with open(os.path.join(self.dovecot.root, "mail", "alice", "dovecot-attributes")) as f:
            self.assertIn("/vendor/vendor.dovecot/pvt/lnotify/deltachat/" + token_id(token), f.read())

    def test_bad_tokens_are_refused_and_nothing_changes(self):
        c = self.client()
        token = make_token("good")
        c.register(token)
        error = c.try_register("x" * 4097)
        self.assertIsNotNone(error)
        self.assertIn("/private/devicetoken: the device token is 4097 bytes, at most 4096", error)
        error = c.try_register("openpgp:\x01abc")
        self.assertIn("not printable ASCII", error)
        self.assertEqual(c.devicetoken(), token)
        self.assertIsNone(c.try_register("y" * 4096), "4096 bytes are accepted")

    def test_maxsmtprecipients_is_read_only(self):
        c = self.client()
        try:
            c.command('SETMETADATA "" (/shared/vendor/deltachat/maxsmtprecipients "1000")')
            self.fail("a client changed a server entry")
        except RuntimeError as e:
            self.assertIn("provided by the server", str(e))


class Wakeups(DeltaChatTestCase):
    def test_two_devices_each_get_one_post_of_the_raw_token(self):
        phone, tablet = make_token("phone"), make_token("tablet")
        self.device(phone)
        self.device(tablet)
        self.dovecot.deliver_lmtp()
        self.assertEqual(len(self.wait_sent(2)), 2, self.dovecot.log())
        bodies = self.notifier.wait_for(2)
        self.assertEqual(sorted(bodies), sorted([phone, tablet]))
        for path, headers, _ in self.notifier.requests:
            self.assertEqual(path, "/notify")
        labels = sorted(n["address"] for n in self.sent())
        self.assertEqual(labels, sorted(f"deltachat:{token_id(t)}" for t in (phone, tablet)))
        # the dispatcher never logs a token (Dovecot's own debug log,
        # mail_debug = yes here, shows attribute values)
        dispatcher_log = "".join(l for l in self.dovecot.log().splitlines(True) if "lnotify-dispatch" in l)
        self.assertIn("over DELTACHAT", dispatcher_log)
        self.assertNotIn(phone, dispatcher_log)
        self.assertNotIn(tablet, dispatcher_log)
        self.assertEqual(len(self.notifier.requests), 2)

    def test_a_message_from_the_user_wakes_nobody(self):
        self.device(make_token("phone"))
        own = sample_message(subject="sent from my other device", sender="alice@example.test")
        self.dovecot.deliver_lmtp(message=own)
        self.dovecot.deliver_lmtp()
        [sent] = self.wait_sent(1)
        self.assertEqual(sent["uid"], "2", "the first message was the user's own")
        self.assertNotIn("merged", self.dovecot.log())
        self.assertEqual(len(self.notifier.requests), 1)

    def test_only_new_messages_in_inbox(self):
        self.device(make_token("phone"))
        c = self.dovecot.imap()
        self.addCleanup(c.logout)
        c.create("Archive")
        c.append("INBOX", None, None, sample_message(subject="appended").encode())
        c.append("Archive", None, None, sample_message(subject="archived").encode())
        self.dovecot.deliver_lmtp()
        [sent] = self.wait_sent(1)
        self.assertEqual((sent["mailbox"], sent["uid"], sent["event"]), ("INBOX", "2", "MessageNew"))
        self.assertEqual(len(self.notifier.requests), 1)


class DeadToken(DeltaChatTestCase):
    def test_410_forgets_the_token(self):
        alive, dead = make_token("alive"), make_token("dead")
        self.notifier.answer(dead, 410)
        self.device(alive)
        phone = self.device(dead)  # the last one set
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"notification dropped \(.*\): the Delta Chat notifier answered HTTP 410"))
        self.assertEqual(len(self.wait_sent(1)), 1)

        self.dovecot.deliver_lmtp()
        self.assertEqual(len(self.wait_sent(2)), 2)
        self.assertEqual(sorted(self.notifier.bodies()), sorted([alive, dead, alive]),
                         "the dead token was POSTed once, then never again")
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"Delta Chat: forgetting device token " + token_id(dead) + r": the notifier answered 410"))
        self.assertIsNone(phone.devicetoken(), "/private/devicetoken is gone from METADATA")

        # registering again (a reinstalled app has a new token) works as before
        fresh = make_token("fresh")
        phone.register(fresh)
        self.dovecot.deliver_lmtp()
        self.assertEqual(len(self.wait_sent(4)), 4)
        self.assertEqual(sorted(self.notifier.bodies()[3:]), sorted([alive, fresh]))


class Retries(DeltaChatTestCase):
    def test_500_is_retried(self):
        token = make_token("phone")
        self.notifier.answer(token, 500)
        self.device(token)
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"notification deferred \(.*\): the Delta Chat notifier answered HTTP 500; attempt 1 failed"))
        out = self.dovecot.doveadm("lnotify", "list", "-u", "alice").strip().splitlines()
        [row] = [line.split() for line in out[1:]]
        self.assertEqual(row[1:5], ["alice@example.test", "retry", "1", "0"])
        self.assertEqual(row[8:10], ["DELTACHAT", f"deltachat:{token_id(token)}"])
        # the next attempt is the backoff away: flush makes it due now
        self.dovecot.doveadm("lnotify", "flush", "-u", "alice")
        self.assertEqual(len(self.wait_sent(1)), 1, self.dovecot.log())
        self.assertEqual(self.notifier.bodies(), [token, token])

    def test_given_up_five_hours_after_the_message(self):
        token = make_token("phone")
        self.notifier.answer(token, 503)
        self.device(token)
        before = int(time.time())
        self.dovecot.deliver_lmtp()
        after = int(time.time())
        self.assertIsNotNone(self.dovecot.wait_for_log(r"notification deferred"))
        out = self.dovecot.doveadm("lnotify", "list", "-u", "alice").strip().splitlines()
        header = out[0].split()
        [row] = [line.split() for line in out[1:]]
        expires = utc_seconds(row[header.index("expires")])
        # 5 hours (chatmail's relay), not the dispatcher's expire (a day)
        self.assertGreaterEqual(expires, before + 5 * 3600)
        self.assertLessEqual(expires, after + 5 * 3600)


class KillBetweenDeliveryAndPost(DeltaChatTestCase):
    def test_a_claimed_unsent_wakeup_survives(self):
        token = make_token("phone")
        self.device(token)
        [pid] = self.dovecot.process_ids("lnotify-dispatch")
        # stopped before the delivery, so it cannot have POSTed anything
        os.kill(pid, signal.SIGSTOP)
        self.dovecot.deliver_lmtp()
        self.assertEqual(len(self.dovecot.spool_requests("incoming")), 1)
        os.kill(pid, signal.SIGKILL)
        self.assertIsNotNone(self.dovecot.wait_for_log(r"service\(lnotify-dispatch\): child \d+ killed with signal 9"))
        self.assertEqual(len(self.wait_sent(1, timeout=40)), 1, self.dovecot.log())
        self.assertEqual(self.notifier.bodies(), [token])

    def test_a_wakeup_waiting_for_its_retry_survives(self):
        token = make_token("phone")
        self.notifier.answer(token, 500)
        self.device(token)
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"notification deferred"))
        self.assertEqual(len(self.dovecot.spool_requests("active")), 1)
        [pid] = self.dovecot.process_ids("lnotify-dispatch")
        os.kill(pid, signal.SIGKILL)
        self.assertIsNotNone(self.dovecot.wait_for_log(r"resumed 1 notification\(s\) left in active/", timeout=40))
        self.assertEqual(len(self.wait_sent(1, timeout=40)), 1, self.dovecot.log())
        self.assertEqual(self.notifier.bodies(), [token, token])
        self.assertEqual(self.dovecot.spool_entries("active"), [])


class Burst(DeltaChatTestCase):
    def test_a_burst_is_one_wakeup_per_device(self):
        phone, tablet = make_token("phone"), make_token("tablet")
        self.device(phone)
        self.device(tablet)
        [pid] = self.dovecot.process_ids("lnotify-dispatch")
        # the burst arrives while the dispatcher is not looking
        os.kill(pid, signal.SIGSTOP)
        for i in range(5):
            self.dovecot.deliver_lmtp(message=sample_message(subject=f"burst {i}"))
        self.assertEqual(len(self.dovecot.spool_requests("incoming")), 10)
        os.kill(pid, signal.SIGCONT)
        self.assertEqual(len(self.wait_sent(2)), 2, self.dovecot.log())
        self.assertIsNotNone(self.dovecot.wait_for_log(r"for 5 notifications"))
        self.assertEqual(sorted(self.notifier.bodies()), sorted([phone, tablet]))


class WithoutTheChannel(DovecotTestCase):
    def test_no_capability_and_the_token_is_refused(self):
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        c = DeltaChatClient(self.dovecot.imap_port, "alice")
        self.addCleanup(c.close)
        self.assertNotIn("XDELTAPUSH", c.capabilities())
        untagged, tagged = c.server_metadata()
        self.assertIn("OK", tagged)
        self.assertIn("/shared/vendor/deltachat/maxsmtprecipients NIL", "".join(untagged))
        error = c.try_register(make_token("a"))
        self.assertIn("Delta Chat push is not enabled on this server", error)


if __name__ == "__main__":
    import unittest
    unittest.main()

"""Issue 10, fault injection: the dispatcher's disk full, the mail side's
spool full, a corrupted queue file, a Dovecot reload during a burst, and an
HTTP gateway that sends garbage, closes in the middle of its reply or
answers too slowly. (A gateway that does not answer at all: the SIP
channel's Timer F in test_channel_sip, XMPP's stalled login in
test_channel_xmpp.)
Each ends with a clear log line and nothing lost that the design promises
to keep (doc/dispatcher.md): once the LMTP reply said 250, the
notification goes out, at least once, unless the spool could not take it,
which the delivery's log says.

Full disks are real: a small tmpfs mounted over the directory (the tests run
as root, like the whole integration suite)."""

import os
import re
import shutil
import signal
import socket
import smtplib
import subprocess
import threading
import time
import unittest

from lnotify_harness import sample_message
from test_dispatcher import DispatcherTestCase, deliver_many, facts


def mount_small_tmpfs(path, size_kib):
    """Mounts a size_kib tmpfs over path, keeping its subdirectories with
    their owners and modes (files are not kept)."""
    tree = []
    for dirpath, dirnames, _ in os.walk(path):
        for name in dirnames:
            full = os.path.join(dirpath, name)
            st = os.stat(full)
            tree.append((os.path.relpath(full, path), st.st_mode & 0o7777, st.st_uid, st.st_gid))
    top = os.stat(path)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode={top.st_mode & 0o7777:o}",
                    "lnotify-test", path], check=True)
    os.chown(path, top.st_uid, top.st_gid)
    os.chmod(path, top.st_mode & 0o7777)
    for rel, mode, uid, gid in sorted(tree):
        full = os.path.join(path, rel)
        os.mkdir(full)
        os.chown(full, uid, gid)
        os.chmod(full, mode)


def unmount(path):
    subprocess.run(["umount", "-l", path], check=False)


def fill(path):
    """Fills the file system holding path; returns the filler's path."""
    filler = os.path.join(path, "filler")
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


class StateDiskFull(DispatcherTestCase):
    """The dispatcher cannot write its journal (the sequence-ids must be on
    disk before a send): it sends nothing, says so, and sends everything,
    once, when space is back."""
    dispatch_settings = {"unanswered_limit": "0", "rate_limit": "0", "retry_base": "1", "retry_max": "1"}
    BURST = 150

    def setUp(self):
        super().setUp()
        self.sink = self.new_sink()
        self.choose_udp(self.sink.address)
        # A dispatcher restarted on the small disk: start() writes the
        # journal, so there must be room for that first.
        [pid] = self.dovecot.process_ids("lnotify-dispatch")
        os.kill(pid, signal.SIGSTOP)
        mount_small_tmpfs(self.dovecot.state, 256)
        self.addCleanup(unmount, self.dovecot.state)
        os.kill(pid, signal.SIGKILL)
        self.assertIsNotNone(self.dovecot.wait_for_log(r"(?s)started: config.*started: config", timeout=30))

    def test_nothing_is_lost_and_it_says_why(self):
        deliver_many(self.dovecot, 1)
        self.assertEqual(len(self.sink.wait_for(1)), 1)
        filler = fill(self.dovecot.state)
        # The journal's last page still has room for some lines (tmpfs
        # allocates whole pages); enough notifications fill it.
        deliver_many(self.dovecot, self.BURST)
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"cannot write the state journal, nothing is sent until it can be: .*No space left on device",
            timeout=30))
        stalled = len(self.sink.quiet_for(2))
        self.assertLess(stalled, self.BURST + 1, "nothing was sent without its sequence-id on disk")
        os.unlink(filler)
        total = self.BURST + 1
        datagrams = self.sink.wait_until(lambda ds: len({facts(d)["uid"] for d in ds}) >= total, timeout=60)
        uids = [facts(d)["uid"] for d in datagrams]
        self.assertEqual(sorted(set(uids)), list(range(1, total + 1)))
        self.assertEqual(uids, sorted(uids), "in order")
        seqs = [facts(d)["seq"] for d in datagrams]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)), "sequence-ids without gaps or repeats")


class SpoolFull(DispatcherTestCase):
    """The spool is full when a message arrives: the delivery succeeds (a
    notification failure never fails a delivery) and the log says that this
    notification could not be queued; the next one, once there is room,
    goes out."""

    def setUp(self):
        super().setUp()
        self.sink = self.new_sink()
        self.choose_udp(self.sink.address)
        os.kill(self.dovecot.process_ids("lnotify-dispatch")[0], signal.SIGSTOP)
        mount_small_tmpfs(self.dovecot.spool, 256)
        self.addCleanup(unmount, self.dovecot.spool)
        os.kill(self.dovecot.process_ids("lnotify-dispatch")[0], signal.SIGCONT)

    def test_delivery_succeeds_and_the_loss_is_logged(self):
        filler = fill(self.dovecot.spool)
        deliver_many(self.dovecot, 1)  # raises unless every recipient got 250
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lmtp\(alice@example.test\).*: saved mail to INBOX"))
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"lmtp\(alice@example.test\).*: Error: .*lnotify: Cannot queue notification for mailbox INBOX "
            r"UID 1: write\(.*\) failed: No space left on device"))
        os.unlink(filler)
        deliver_many(self.dovecot, 1)
        datagrams = self.sink.wait_for(1)
        self.assertEqual([facts(d)["uid"] for d in datagrams], [2])


class CorruptQueueFile(DispatcherTestCase):
    def test_garbage_is_quarantined_and_the_rest_goes_out(self):
        sink = self.new_sink()
        self.choose_udp(sink.address)
        incoming = os.path.join(self.dovecot.spool, "incoming")
        garbage = os.path.join(incoming, "0000000000000001-1-0-deadbeef")
        with open(garbage, "wb") as f:
            f.write(b"lnotify-request 1\nuser\talice\n\xff\xfe not a record")
        shutil.chown(garbage, "dovecot", "dovecot")
        deliver_many(self.dovecot, 1)
        self.assertEqual([facts(d)["uid"] for d in sink.wait_for(1)], [1])
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"lnotify-dispatch: Error: spool entry 0000000000000001-1-0-deadbeef moved to corrupt/: "))
        self.assertEqual(self.dovecot.spool_entries("corrupt"), ["0000000000000001-1-0-deadbeef"])


def deliver_through_reloads(dovecot, count, delivered):
    """count deliveries; a session the reload closes (421) is opened again.
    delivered[0] counts those LMTP accepted (250): the others are the
    sender's to retry, and have no notification to expect."""
    while delivered[0] < count:
        try:
            with smtplib.LMTP("127.0.0.1", dovecot.lmtp_port) as lmtp:
                while delivered[0] < count:
                    lmtp.sendmail("sender@example.org", ["alice@example.test"],
                                  sample_message(subject=f"burst {delivered[0]}"))
                    delivered[0] += 1
        except (smtplib.SMTPException, OSError):
            time.sleep(0.1)


class ReloadDuringBurst(DispatcherTestCase):
    """doveadm reload (SIGHUP to the master) while deliveries stream in:
    every notification arrives, in order, with one sequence-id each."""
    BURST = 150

    def test_every_notification_arrives_once(self):
        sink = self.new_sink()
        self.choose_udp(sink.address)
        delivered = [0]
        delivery = threading.Thread(target=deliver_through_reloads, args=(self.dovecot, self.BURST, delivered))
        delivery.start()
        self.addCleanup(delivery.join)
        sink.wait_for(30, timeout=60)
        os.kill(self.dovecot.process.pid, signal.SIGHUP)
        self.assertIsNotNone(self.dovecot.wait_for_log(r"master: Warning: SIGHUP received - reloading configuration"))
        delivery.join()
        # A session closed right after its message was saved but before the
        # 250 made it out is retried by the sender: one message more.
        saved = self.message_count()
        self.assertIn(saved, (self.BURST, self.BURST + 1))
        datagrams = sink.wait_until(lambda ds: len({facts(d)["uid"] for d in ds}) >= saved, timeout=60)
        seen = [facts(d) for d in datagrams]
        self.assertEqual(sorted({f["uid"] for f in seen}), list(range(1, saved + 1)), "one per saved message")
        seq_of_uid = {}
        for f in seen:
            seq_of_uid.setdefault(f["uid"], set()).add(f["seq"])
        for uid, seqs in seq_of_uid.items():
            self.assertEqual(len(seqs), 1, f"uid {uid} went out with two sequence-ids: {seqs}")
        self.assertLessEqual(len(seen) - saved, 1, "at most one duplicate (the one in flight)")
        first_of = {}
        for index, f in enumerate(seen):
            first_of.setdefault(f["uid"], index)
        order = sorted(first_of, key=first_of.get)
        self.assertEqual(order, sorted(order), "in order")


if __name__ == "__main__":
    unittest.main()


class MisbehavingGateway:
    """An HTTP SMS gateway that misbehaves on the first request in one of
    the ways a real one does (garbage instead of HTTP, the connection closed
    in the middle of the reply, no answer within the timeout) and answers
    like Kannel ("202 0: Accepted for delivery") from then on."""

    def __init__(self, fault):
        self.fault = fault
        self.requests = 0
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/cgi-bin/sendsms"
        self.closing = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.closing:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    request = conn.recv(65536)
                except OSError:
                    continue
                if not request:
                    continue
                self.requests += 1
                if self.requests == 1 and self.fault == "garbage":
                    conn.sendall(b"\x00\xffHELLO? this is not HTTP\r\n\r\n")
                elif self.requests == 1 and self.fault == "mid-reply":
                    conn.sendall(b"HTTP/1.1 202 Accepted\r\nContent-Length: 100\r\n\r\n0: Acc")
                elif self.requests == 1 and self.fault == "slow":
                    time.sleep(4)  # past sms_timeout = 2
                else:
                    body = b"0: Accepted for delivery"
                    conn.sendall(b"HTTP/1.1 202 Accepted\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
                                 b"Connection: close\r\n\r\n%s" % (len(body), body))

    def close(self):
        self.closing = True
        self.server.close()


class GatewayFaults(DispatcherTestCase):
    """The SMS channel against a gateway that misbehaves once: a clear
    "deferred" line with the cause, then the notification goes out at the
    retry; nothing is lost and the delivery never noticed."""
    FAULT = None

    def setUp(self):
        self.gateway = MisbehavingGateway(self.FAULT)
        self.addCleanup(self.gateway.close)
        self.dispatch_settings = {"unanswered_limit": "0", "rate_limit": "0", "retry_base": "1",
                                  "retry_max": "1", "channels": "UDP SMS", "sms_gateway_url": self.gateway.url,
                                  "sms_username": "lnotify", "sms_password": "secret", "sms_timeout": "2"}
        super().setUp()

    def check(self, cause):
        self.choose("SMS=WAKEUP", "+15551234567")
        deliver_many(self.dovecot, 1)
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"lnotify-dispatch: Warning: notification deferred \(user=alice@example.test mailbox=INBOX uid=1 .*\): "
            + cause, timeout=30))
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"lnotify-dispatch: Info: sent WAKEUP over SMS to \+15551234567 \(user=alice@example.test "
            r"mailbox=INBOX uid=1", timeout=30))
        self.assertGreaterEqual(self.gateway.requests, 2)


class GatewaySendsGarbage(GatewayFaults):
    FAULT = "garbage"

    def test_retried_and_sent(self):
        self.check(r"SMS gateway 127.0.0.1:\d+: (Unsupported protocol: )?Received HTTP/0.9 when not allowed")


class GatewayClosesMidReply(GatewayFaults):
    FAULT = "mid-reply"

    def test_retried_and_sent(self):
        self.check(r"SMS gateway 127.0.0.1:\d+: (Transferred a partial file: )?transfer closed with \d+ bytes remaining")


class GatewayTooSlow(GatewayFaults):
    FAULT = "slow"

    def test_retried_and_sent(self):
        self.check(r"SMS gateway 127.0.0.1:\d+: (Timeout was reached: )?Operation timed out after \d+ milliseconds")

"""Issue 6: the dispatcher's durable queue against a real Dovecot.

Notifications are observed as they arrive at UDP sockets on loopback (the
xemn carries uid and sequence-id) and through the dispatcher's log. What is
tested where:

- kill -9 of the dispatcher during a burst, the sink down and back (a real
  temporary failure: a connected UDP socket hears ICMP port unreachable),
  a real permanent failure (broadcast, EACCES), the ledger with IMAP login
  and SELECT as reactions, the daily total, the rate cap with and without
  coalescing, expiry, doveadm lnotify list/flush/delete/ledger/test and the
  named events counted by a metric block: here;
- exact backoff delays and jitter, crashes at every send, memory, the
  journal's crash behaviour: the unit tests (fake clock and transport).
"""

import os
import re
import signal
import smtplib
import socket
import threading
import time
import unittest
import xml.dom.minidom

from lnotify_harness import ADDRESS, CHANNEL, DovecotTestCase, sample_message

LIMIT = "/private/notify/outband/limit"
# The shipped defaults hold a burst back (rate_limit = 30/60) and stop
# after 10 unanswered notifications; tests that are not about those turn
# them off.
NO_LIMITS = {"unanswered_limit": "0", "rate_limit": "0"}
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)


class Sink:
    """A UDP socket on loopback drained by a thread into a list, with a
    receive buffer large enough that a burst is never dropped by the
    kernel (which would look like a lost notification)."""

    def __init__(self, port=0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 32 * 1024 * 1024)
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024 * 1024)
        self.sock.bind(("127.0.0.1", port))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        self.received = []  # (arrival time, datagram)
        self.cond = threading.Condition()
        self.closing = False
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self):
        while not self.closing:
            try:
                data = self.sock.recv(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.cond:
                self.received.append((time.time(), data))
                self.cond.notify_all()

    def wait_for(self, count, timeout=20.0):
        """The datagrams so far, once there are count of them (or timeout)."""
        deadline = time.time() + timeout
        with self.cond:
            while len(self.received) < count and time.time() < deadline:
                self.cond.wait(deadline - time.time())
            return [d for _, d in self.received]

    def wait_until(self, done, timeout=20.0):
        """The datagrams so far, once done(datagrams) holds (or timeout)."""
        deadline = time.time() + timeout
        with self.cond:
            while not done([d for _, d in self.received]) and time.time() < deadline:
                self.cond.wait(min(1.0, max(0.0, deadline - time.time())))
            return [d for _, d in self.received]

    def quiet_for(self, seconds):
        """The datagrams after nothing new arrived for seconds."""
        while True:
            before = len(self.received)
            time.sleep(seconds)
            if len(self.received) == before:
                return [d for _, d in self.received]

    def close(self):
        self.closing = True
        self.thread.join()
        self.sock.close()


def facts(datagram):
    """{"wakeup": bool, "uid": int, "seq": int} of an EMN or xemn datagram."""
    root = xml.dom.minidom.parseString(datagram).documentElement
    return {
        "wakeup": root.tagName == "emn",
        "uid": int(root.getAttribute("uid") or 0),
        "seq": int(root.getAttribute("sequence-id") or 0),
    }


def deliver_many(dovecot, count, rcpt="alice@example.test"):
    """count deliveries over one LMTP session (a transaction each)."""
    with smtplib.LMTP("127.0.0.1", dovecot.lmtp_port) as lmtp:
        for i in range(count):
            refused = lmtp.sendmail("sender@example.org", [rcpt], sample_message(subject=f"burst {i}", to=rcpt))
            assert refused == {}, refused


class DispatcherTestCase(DovecotTestCase):
    dispatch_settings = NO_LIMITS

    def setUp(self):
        super().setUp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))

    def new_sink(self, port=0):
        sink = Sink(port)
        self.addCleanup(sink.close)
        return sink

    def choose_udp(self, address, fmt="EXTENDED", user="alice", limit=None):
        client = self.dovecot.imap(user)
        for entry, value in ((CHANNEL, f"UDP={fmt}"), (ADDRESS, address), (LIMIT, limit)):
            if value is not None:
                typ, data = self.dovecot.set_metadata(client, "INBOX", entry, value)
                self.assertEqual(typ, "OK", data)
        client.logout()

    def count_log(self, pattern):
        return len(re.findall(pattern, self.dovecot.log()))


class KillDuringBurst(DispatcherTestCase):
    BURST = 1200

    def test_every_notification_arrives_with_sequence_ids_without_gaps(self):
        sink = self.new_sink()
        self.choose_udp(sink.address)
        [first_pid] = self.dovecot.process_ids("lnotify-dispatch")

        delivery = threading.Thread(target=deliver_many, args=(self.dovecot, self.BURST))
        delivery.start()
        self.addCleanup(delivery.join)
        self.assertGreaterEqual(len(sink.wait_for(200, timeout=60)), 200)
        # The dispatcher keeps up with one LMTP session, so to kill it with
        # work in hand it is stopped for a moment: a backlog builds up.
        os.kill(first_pid, signal.SIGSTOP)
        deadline = time.time() + 60
        while len(self.dovecot.spool_requests("incoming")) < 300 and time.time() < deadline:
            time.sleep(0.05)
        os.kill(first_pid, signal.SIGCONT)
        sink.wait_for(len(sink.received) + 20, timeout=30)
        os.kill(first_pid, signal.SIGKILL)
        in_flight = len(self.dovecot.spool_requests("active"))
        arrived_before_kill = len(sink.received)
        self.assertGreater(in_flight, 0, "killed with claimed notifications in active/")
        self.assertTrue(delivery.is_alive(), "the kill must land in the middle of the burst")
        # Dovecot's master sees the crash and starts the service again
        # (process_min_avail = 1); the new process takes up active/.
        self.assertIsNotNone(self.dovecot.wait_for_log(r"service\(lnotify-dispatch\): child \d+ killed with signal 9"))
        self.assertIsNotNone(self.dovecot.wait_for_log(r"(?s)started: config.*started: config", timeout=30))
        delivery.join()

        # Count distinct notifications: a duplicate must not stand in for
        # the last one.
        datagrams = sink.wait_until(lambda ds: len({facts(d)["uid"] for d in ds}) >= self.BURST, timeout=120)
        seen = [facts(d) for d in datagrams]
        seq_of_uid = {}
        for f in seen:
            self.assertFalse(f["wakeup"])
            seq_of_uid.setdefault(f["uid"], set()).add(f["seq"])
        self.assertEqual(sorted(seq_of_uid), list(range(1, self.BURST + 1)), "every notification arrived")
        for uid, seqs in seq_of_uid.items():
            self.assertEqual(len(seqs), 1, f"uid {uid} was sent again with another sequence-id: {seqs}")
        seqs = sorted({f["seq"] for f in seen})
        self.assertEqual(seqs, list(range(1, self.BURST + 1)), "sequence-ids without gaps")
        duplicates = len(seen) - self.BURST
        self.assertLessEqual(duplicates, 1, "at most the notification in flight at the kill goes twice")
        [second_pid] = self.dovecot.process_ids("lnotify-dispatch")
        self.assertNotEqual(first_pid, second_pid)
        self.assertEqual(self.dovecot.spool_entries("active"), [])
        self.assertEqual(self.dovecot.spool_entries("incoming"), [])
        self.assertIsNotNone(re.search(r"resumed \d+ notification\(s\) left in active/", self.dovecot.log()))
        print(f"\n{arrived_before_kill} arrived before the kill, {in_flight} claimed and unsent at the kill, "
              f"{duplicates} duplicate(s)")


class SinkDown(DispatcherTestCase):
    dispatch_settings = dict(NO_LIMITS, retry_base="1", retry_max="2")

    def test_all_arrive_in_order_once_the_sink_is_back(self):
        down = self.new_sink()
        port = down.port
        bob = self.new_sink()
        self.choose_udp(down.address)
        self.choose_udp(bob.address, user="bob")
        down.close()  # nothing listens on port any more

        deliver_many(self.dovecot, 5)
        self.dovecot.deliver_lmtp("bob@example.test")
        self.assertIsNotNone(self.dovecot.wait_for_log(
            rf"Warning: notification deferred \(user=alice@example.test mailbox=INBOX uid=1 event=MessageNew seq=1\): "
            rf"send\(127\.0\.0\.1:{port}\) failed: Connection refused \(ICMP port unreachable: nothing listens there now\); "
            r"attempt 1 failed, next in 1 s"))
        self.assertEqual(len(bob.wait_for(1)), 1, "bob's notification does not wait behind alice's")
        self.assertIsNotNone(self.dovecot.wait_for_log(r"uid=1 event=MessageNew seq=1\): .*attempt 3 failed"))
        self.assertNotRegex(self.dovecot.log(), r"sent \S+ over UDP to \S+ \(user=alice@example.test .*uid=[2-5] ",
                            "alice's later notifications wait behind her first")

        up = self.new_sink(port)
        datagrams = up.wait_for(5)
        self.assertEqual([facts(d)["uid"] for d in datagrams], [1, 2, 3, 4, 5], "in order")
        self.assertEqual([facts(d)["seq"] for d in datagrams], [1, 2, 3, 4, 5])
        self.assertEqual(self.dovecot.spool_entries("active"), [])


class Expiry(DispatcherTestCase):
    dispatch_settings = dict(NO_LIMITS, retry_base="1", retry_max="1", expire="3")

    def test_an_undeliverable_notification_expires(self):
        down = self.new_sink()
        self.choose_udp(down.address)
        down.close()
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"Warning: notification dropped \(user=alice@example.test mailbox=INBOX uid=1 event=MessageNew\): "
            r"expired after \d+ attempt\(s\) \(expire = 3 s\); last error: send\(\S+\) failed: Connection refused"))
        self.assertEqual(self.dovecot.spool_entries("active"), [])


class PermanentFailure(DispatcherTestCase):
    # the broadcast address must pass the allow-list to reach the kernel
    dispatch_settings = {"allowed_destinations": "127.0.0.1 ::1 255.255.255.255"}

    def test_is_not_retried(self):
        # Broadcast without SO_BROADCAST: the kernel refuses the send.
        self.choose_udp("255.255.255.255:9")
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"Error: notification dropped \(user=alice@example.test mailbox=INBOX uid=1 event=MessageNew seq=1\): "
            r"connect\(255\.255\.255\.255:9\) failed: Permission denied"))
        time.sleep(3)
        self.assertEqual(self.count_log(r"connect\(255\.255\.255\.255:9\) failed"), 1, "one attempt, no retry")
        self.assertNotRegex(self.dovecot.log(), r"deferred")
        self.assertEqual(self.dovecot.spool_entries("active"), [])


class Ledger(DispatcherTestCase):
    dispatch_settings = {"unanswered_limit": "3", "wakeup_interval": "4", "rate_limit": "0"}

    def test_unanswered_notifications_become_periodic_wakeups_until_the_user_logs_in(self):
        sink = self.new_sink()
        self.choose_udp(sink.address)
        deliver_many(self.dovecot, 4)
        seen = [facts(d) for d in sink.wait_for(4)]
        self.assertEqual([f["wakeup"] for f in seen], [False, False, False, True],
                         "three extended notifications, then a wake-up")

        deliver_many(self.dovecot, 2)
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"notification held \(user=alice@example.test .*\): 4 notification\(s\) unanswered since \S+ "
            r"\(unanswered_limit = 3\): next periodic wake-up at"))
        self.assertEqual(len(sink.quiet_for(1.5)), 4, "held back until the interval has passed")
        ledger = self.dovecot.doveadm("lnotify", "ledger", "-u", "alice")
        self.assertRegex(ledger, r"alice@example.test\s+4\s+\S+\s+\S+\s+yes")
        datagrams = sink.wait_for(5, timeout=10)
        self.assertEqual(len(datagrams), 5)
        self.assertTrue(facts(datagrams[4])["wakeup"], "the periodic wake-up, for both")
        self.assertEqual(len(sink.quiet_for(5)), 5, "nothing more: both were in that wake-up")

        # The client comes back: everything is answered.
        self.dovecot.imap().logout()
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"client of alice@example.test reacted \(login\): 5 unanswered notification\(s\) answered"))
        self.assertEqual(self.dovecot.doveadm("lnotify", "ledger", "-u", "alice").strip().count("\n"), 0)
        self.dovecot.deliver_lmtp()
        datagrams = sink.wait_for(6)
        self.assertFalse(facts(datagrams[5])["wakeup"], "full notifications again")

    def test_selecting_a_mailbox_is_a_reaction(self):
        sink = self.new_sink()
        self.choose_udp(sink.address)
        client = self.imap()  # logged in before the notifications
        deliver_many(self.dovecot, 4)
        self.assertTrue(facts(sink.wait_for(4)[3])["wakeup"])
        typ, data = client.select("INBOX")
        self.assertEqual(typ, "OK", data)
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"client of alice@example.test reacted \(select\): 4 unanswered notification\(s\) answered"))


class DailyTotal(DispatcherTestCase):
    def test_the_clients_limit_total_holds(self):
        sink = self.new_sink()
        self.choose_udp(sink.address, limit="total=2")
        deliver_many(self.dovecot, 4)
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"(?s)uid=4 event=MessageNew\): the client's limit total=2 per day is reached"))
        self.assertEqual(len(sink.quiet_for(1)), 2)
        self.assertEqual(self.count_log(r"the client's limit total=2 per day is reached \(2 sent today, UTC\)"), 2)


class RateCap(DispatcherTestCase):
    dispatch_settings = {"unanswered_limit": "0", "rate_limit": "3/10", "coalesce": "yes"}

    def test_a_burst_becomes_three_notifications_and_one_wakeup(self):
        sink = self.new_sink()
        self.choose_udp(sink.address)
        start = time.time()
        deliver_many(self.dovecot, 10)
        datagrams = sink.wait_for(4, timeout=20)
        self.assertEqual([facts(d)["wakeup"] for d in datagrams], [False, False, False, True])
        arrivals = [t for t, _ in sink.received]
        self.assertGreaterEqual(arrivals[3] - arrivals[0], 9.0, "the 4th waits until the window frees")
        self.assertEqual(len(sink.quiet_for(2)), 4, "the wake-up stands for the other seven")
        self.assertIsNotNone(self.dovecot.wait_for_log(r"rate_limit = 3/10 reached: next at"))
        self.assertIsNotNone(self.dovecot.wait_for_log(r"sent WAKEUP over UDP .*; for 7 notifications\)"))
        self.assertLess(time.time() - start, 30)


class RatePaced(DispatcherTestCase):
    dispatch_settings = {"unanswered_limit": "0", "rate_limit": "2/3", "coalesce": "no"}

    def test_without_coalescing_each_waits_its_turn(self):
        sink = self.new_sink()
        self.choose_udp(sink.address)
        deliver_many(self.dovecot, 5)
        datagrams = sink.wait_for(5, timeout=20)
        self.assertEqual([facts(d)["uid"] for d in datagrams], [1, 2, 3, 4, 5])
        self.assertFalse(any(facts(d)["wakeup"] for d in datagrams))
        # The dispatcher's send times are exact; the receiving thread adds
        # scheduling noise, hence the half second of slack (unpaced, all
        # five would arrive within milliseconds).
        arrivals = [t for t, _ in sink.received]
        for i in range(len(arrivals) - 2):
            self.assertGreaterEqual(arrivals[i + 2] - arrivals[i], 2.5, f"3 within 3 s at {i}: {arrivals}")


class Operations(DispatcherTestCase):
    dispatch_settings = dict(NO_LIMITS, retry_base="300", retry_max="600")

    def list_rows(self, *args):
        out = self.dovecot.doveadm("lnotify", "list", *args).strip().splitlines()
        self.assertRegex(out[0], r"^id\s+user\s+state\s+attempts\s+merged\s+seq\s+next\s+expires\s+channel\s+address")
        return [line.split() for line in out[1:]]

    def test_list_flush_delete(self):
        down = self.new_sink()
        port = down.port
        self.choose_udp(down.address)
        down.close()
        deliver_many(self.dovecot, 2)
        self.assertIsNotNone(self.dovecot.wait_for_log(r"uid=1 event=MessageNew seq=1\): .*attempt 1 failed, next in"))

        rows = self.list_rows()
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[0][1:6], ["alice@example.test", "retry", "1", "0", "1"])
        self.assertEqual(rows[1][1:6], ["alice@example.test", "queued", "0", "0", "-"])
        self.assertEqual(rows[0][8:13], ["UDP", f"127.0.0.1:{port}", "INBOX", "1", "MessageNew"])
        self.assertEqual(self.list_rows("-u", "bob"), [])
        self.assertEqual(len(self.list_rows("-u", "alice")), 2)

        # Back up, but the next attempt is five minutes away: flush.
        up = self.new_sink(port)
        out = self.dovecot.doveadm("lnotify", "flush", "-u", "alice")
        self.assertIn("2 notification(s) due now", out)
        datagrams = up.wait_for(2, timeout=10)
        self.assertEqual([facts(d)["uid"] for d in datagrams], [1, 2])
        self.assertEqual(self.list_rows(), [])

        up.close()
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"uid=3 event=MessageNew seq=3\): .*attempt 1 failed"))
        [row] = self.list_rows()
        out = self.dovecot.doveadm("lnotify", "delete", row[0])
        self.assertIn("1 notification(s) deleted", out)
        self.assertEqual(self.list_rows(), [])
        self.assertEqual(self.dovecot.spool_entries("active"), [])
        self.assertIsNotNone(self.dovecot.wait_for_log(
            rf"notification {re.escape(row[0])} for alice@example.test deleted by an administrator"))

    def test_delete_needs_a_user_or_ids(self):
        with self.assertRaisesRegex(RuntimeError, r"DELETE needs a user or notification ids"):
            self.dovecot.doveadm("lnotify", "delete")

    def test_a_test_notification_goes_to_the_users_channel(self):
        sink = self.new_sink()
        self.choose_udp(sink.address)
        out = self.dovecot.doveadm("lnotify", "test", "-u", "alice")
        self.assertRegex(out, rf"alice\s+INBOX\s+UDP=EXTENDED to 127\.0\.0\.1:{sink.port}")
        [datagram] = sink.wait_for(1)
        root = xml.dom.minidom.parseString(datagram).documentElement
        self.assertEqual(root.tagName, "xemn")
        self.assertEqual(root.getAttribute("mailbox"), "mailat:alice@example.test")
        self.assertEqual(root.getAttribute("sequence-id"), "1")
        self.assertEqual(root.getAttribute("event"), "", "a test is no mail event")
        self.assertIsNotNone(self.dovecot.wait_for_log(r"sent EXTENDED over UDP .*test notification seq=1"))

    def test_a_test_needs_a_channel(self):
        with self.assertRaisesRegex(RuntimeError, r"bob: No outband channel is chosen for INBOX"):
            self.dovecot.doveadm("lnotify", "test", "-u", "bob")

    def test_without_the_dispatcher_socket(self):
        os.unlink(os.path.join(self.dovecot.root, "run", "lnotify-dispatch-admin"))
        with self.assertRaisesRegex(RuntimeError, r"Cannot reach lnotify-dispatch: net_connect_unix\(\S+\) failed"):
            self.dovecot.doveadm("lnotify", "list")


class Metrics(DispatcherTestCase):
    dispatch_settings = dict(NO_LIMITS, retry_base="1", retry_max="1")
    extra_conf = """
metric lnotify_sent {
  filter = event=lnotify_notification_sent
  group_by = channel
}
metric lnotify_retried {
  filter = event=lnotify_notification_retried
}
metric lnotify_dropped {
  filter = event=lnotify_notification_dropped
  group_by = reason
}
"""

    def counts(self):
        out = self.dovecot.doveadm("stats", "dump")
        return {line.split("\t")[0]: int(line.split("\t")[2]) for line in out.splitlines()[1:]
                if line.split("\t")[1] == "duration"}

    def test_events_are_counted_by_metric_blocks(self):
        sink = self.new_sink()
        self.choose_udp(sink.address, limit="total=2")
        deliver_many(self.dovecot, 3)
        self.assertEqual(len(sink.wait_for(2)), 2)
        self.assertIsNotNone(self.dovecot.wait_for_log(r"limit total=2 per day is reached"))
        deadline = time.time() + 10
        while time.time() < deadline:
            counts = self.counts()
            if counts.get("lnotify_sent") == 2 and counts.get("lnotify_dropped") == 1:
                break
            time.sleep(0.2)
        self.assertEqual(counts.get("lnotify_sent"), 2, counts)
        self.assertEqual(counts.get("lnotify_sent_UDP"), 2, counts)
        self.assertEqual(counts.get("lnotify_dropped_daily_limit"), 1, counts)
        self.assertEqual(counts.get("lnotify_retried", 0), 0, counts)


if __name__ == "__main__":
    unittest.main()

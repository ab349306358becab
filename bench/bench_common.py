"""Shared set-up of the benchmarks that run a real Dovecot (bench/run): the
four configurations of issue 9 and small statistics helpers. Uses the
integration tests' harness (a sandboxed Dovecot in /tmp on free loopback
ports), with debug logging off so it does not dominate the figures."""

import os
import socket
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
os.environ.setdefault("LNOTIFY_BUILD_DIR", os.path.join(HERE, "..", "build"))

from lnotify_harness import ADDRESS, CHANNEL, Dovecot, sample_message  # noqa: E402,F401

QUIET = "mail_debug = no\n"
# Everything the dispatcher would otherwise hold back is off: the benchmark
# measures the path, not the policy.
OPEN_POLICY = {"rate_limit": "0", "unanswered_limit": "0"}

CONFIGURATIONS = {
    "a": "stock Dovecot",
    "b": "Dovecot + push_notification (dlog)",
    "c": "Dovecot + lnotify, UDP channel",
    "c'": "(c) with lnotify_spool_fsync = no",
    "d": "lnotify, UDP + views + notification filter",
}

# A fixed message set: short, typical, with an attachment-sized body.
MESSAGES = [
    sample_message(subject="Lunch?", sender="friend@example.org"),
    sample_message(subject="urgent: server down", sender="boss@example.org"),
    sample_message(subject="Quarterly report " + "x" * 60, sender="boss@example.org").replace(
        "\r\n\r\n", "\r\n\r\n" + ("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n" * 200), 1),
]


class UdpReceiver:
    """The phone: a loopback UDP socket (drained by the benchmarks)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.address = "127.0.0.1:%d" % self.sock.getsockname()[1]

    def close(self):
        self.sock.close()


def start(config, receiver=None, users=("alice", "bob")):
    """A running Dovecot in configuration a-d; c, c' and d notify every user
    over UDP to receiver."""
    if config == "a":
        dovecot = Dovecot(stock=True, extra_conf=QUIET)
    elif config == "b":
        dovecot = Dovecot(stock=True, extra_conf=QUIET + (
            "mail_plugins = $mail_plugins notify push_notification\n"
            "plugin {\n  push_notification_driver = dlog\n}\n"))
    else:
        plugin = {"lnotify_spool_fsync": "no"} if config == "c'" else {}
        dovecot = Dovecot(extra_conf=QUIET, dispatch_settings=OPEN_POLICY, plugin_settings=plugin)
    dovecot.start()
    if config in ("c", "c'", "d"):
        dovecot.wait_for_log(r"lnotify-dispatch: Info: started")
        for user in users:
            client = dovecot.imap(user)
            if config == "d":
                for name, program in (("boss", "FROM boss@example.org"), ("urgent", "SUBJECT urgent")):
                    typ, data = dovecot.set_metadata(client, "", f"/private/filters/values/{name}", program)
                    assert typ == "OK", data
                dovecot.set_metadata(client, "INBOX", "/private/notify/view", "boss urgent")
                dovecot.set_metadata(client, "INBOX", "/private/notify/outband/filter", "urgent")
            dovecot.set_metadata(client, "INBOX", CHANNEL, "UDP=WAKEUP")
            dovecot.set_metadata(client, "INBOX", ADDRESS, receiver.address)
            client.logout()
    return dovecot


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, int(round(p / 100.0 * (len(ordered) - 1)))))
    return ordered[k]


def median(values):
    return statistics.median(values) if values else float("nan")

"""What the hand-over adds to a real delivery: LMTP deliveries to a user
without an outband channel (the baseline: nothing is queued) and to one
with UDP=WAKEUP (a request spooled, flushed and the dispatcher poked), in
the same Dovecot, interleaved in rounds, with lnotify_spool_fsync = yes and
= no. Needs root and a build (like the integration tests):

    sudo python3 bench/delivery_overhead.py [DELIVERIES-PER-ROUND]
"""

import os
import smtplib
import socket
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
os.environ.setdefault("LNOTIFY_BUILD_DIR", os.path.join(HERE, "..", "build"))

from lnotify_harness import ADDRESS, CHANNEL, Dovecot, sample_message  # noqa: E402


def per_delivery_ms(dovecot, rcpt, count):
    message = sample_message(to=rcpt)
    with smtplib.LMTP("127.0.0.1", dovecot.lmtp_port) as lmtp:
        start = time.perf_counter()
        for _ in range(count):
            lmtp.sendmail("sender@example.org", [rcpt], message)
        return (time.perf_counter() - start) * 1000 / count


def measure(fsync, count, rounds=5):
    dovecot = Dovecot(plugin_settings={"lnotify_spool_fsync": "yes" if fsync else "no"},
                      dispatch_settings={"rate_limit": "0", "unanswered_limit": "0"})
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    try:
        dovecot.start()
        client = dovecot.imap("alice")
        dovecot.set_metadata(client, "INBOX", CHANNEL, "UDP=WAKEUP")
        dovecot.set_metadata(client, "INBOX", ADDRESS, "127.0.0.1:%d" % sink.getsockname()[1])
        client.logout()
        per_delivery_ms(dovecot, "bob@example.test", 20)  # warm up
        without, with_channel = [], []
        for _ in range(rounds):
            without.append(per_delivery_ms(dovecot, "bob@example.test", count))
            with_channel.append(per_delivery_ms(dovecot, "alice@example.test", count))
        return statistics.median(without), statistics.median(with_channel)
    finally:
        sink.close()
        dovecot.cleanup()


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    print(f"LMTP deliveries, median of 5 rounds of {count}:")
    print(f"  {'lnotify_spool_fsync':22} {'no channel':>12} {'UDP=WAKEUP':>12} {'ratio':>7}")
    for fsync in (True, False):
        base, notified = measure(fsync, count)
        print(f"  {'yes' if fsync else 'no':22} {base:9.2f} ms {notified:9.2f} ms {notified / base:6.2f}x")


if __name__ == "__main__":
    main()

"""Inband latency: time from the end of an LMTP delivery (the DATA reply) to
the unsolicited EXISTS on an idling IMAP connection, stock Dovecot vs
Dovecot with lnotify, in one run on this machine.

Usage (as root, after the README's set-up): python3 bench/inband_latency.py [N]
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from lnotify_harness import Dovecot, RawImap, sample_message  # noqa: E402


def measure(dovecot, count):
    client = RawImap(dovecot.imap_port, "alice")
    client.command("SELECT INBOX")
    client.idle()
    message = sample_message()
    samples = []
    for i in range(count):
        dovecot.deliver_lmtp(message=message)
        done = time.perf_counter()
        while True:
            line = client.line(timeout=5)
            if line is None:
                raise RuntimeError("no EXISTS within 5 s")
            if line.endswith("EXISTS\r\n"):
                samples.append((time.perf_counter() - done) * 1000)
                break
        time.sleep(0.01)
    client.close()
    return samples


def summary(samples):
    q = statistics.quantiles(samples, n=100)
    return statistics.median(samples), q[98]


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    results = {}
    for name, settings in (("stock Dovecot", None), ("with lnotify", {})):
        dovecot = Dovecot(stock=settings is None)
        try:
            dovecot.start()
            measure(dovecot, 3)  # warm up
            results[name] = summary(measure(dovecot, count))
        finally:
            dovecot.cleanup()
    base = results["stock Dovecot"][0]
    print(f"inband latency, LMTP DATA reply -> EXISTS in IDLE, {count} deliveries each")
    print(f"{'configuration':<16} {'p50 ms':>8} {'p99 ms':>8} {'p50 ratio':>10}")
    for name, (p50, p99) in results.items():
        print(f"{name:<16} {p50:8.1f} {p99:8.1f} {p50 / base:10.2f}")


if __name__ == "__main__":
    main()

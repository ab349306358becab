"""Issue 9.2, notification latency: from the end of the LMTP DATA reply to
the datagram arriving on a loopback UDP socket, over many deliveries
(default 10,000), with the dispatcher's own split from its log: hand-over (the
plugin's spool entry created -> claimed by the dispatcher: the record's
write and fdatasync, the rename, the FIFO poke, the wake-up), queue (claim ->
the send starts: admission, sequence-id journal) and send. The plugin-side hand-over cost
is in lnotify-bench ("spool"). p50 / p99 / p99.9 in milliseconds.

    sudo python3 bench/notify_latency.py [DELIVERIES]
"""

import re
import smtplib
import sys
import time

from bench_common import MESSAGES, UdpReceiver, percentile, start

TIMING_RE = re.compile(r"lnotify-dispatch: Info: sent .*; handed over in ([0-9.]+) ms, "
                       r"queued ([0-9.]+) ms, sent in ([0-9.]+) ms")


def run(deliveries=10000):
    receiver = UdpReceiver()
    dovecot = start("c", receiver, users=("alice",))
    latencies = []
    lost = 0
    try:
        receiver.sock.settimeout(2.0)
        with smtplib.LMTP("127.0.0.1", dovecot.lmtp_port) as lmtp:
            for i in range(deliveries):
                lmtp.sendmail("sender@example.org", ["alice@example.test"], MESSAGES[0])
                replied = time.perf_counter()
                try:
                    receiver.sock.recv(65536)
                    latencies.append((time.perf_counter() - replied) * 1000)
                except OSError:
                    lost += 1
        time.sleep(0.5)
        split = [tuple(float(v) for v in m) for m in TIMING_RE.findall(dovecot.log())]
    finally:
        dovecot.cleanup()
        receiver.close()
    return latencies, split, lost


def summary(values):
    return tuple(percentile(values, p) for p in (50, 99, 99.9))


def main():
    deliveries = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    latencies, split, lost = run(deliveries)
    print(f"LMTP reply -> datagram, {len(latencies)} deliveries ({lost} not received within 2 s):")
    print("  %-36s %9s %9s %9s" % ("", "p50", "p99", "p99.9"))
    print("  %-36s %6.3f ms %6.3f ms %6.3f ms" % (("end to end",) + summary(latencies)))
    for index, part in enumerate(("hand-over (spool write, poke, claim)", "queue (claim -> send)",
                                  "send")):
        print("  %-36s %6.3f ms %6.3f ms %6.3f ms" % ((part,) + summary([s[index] for s in split])))


if __name__ == "__main__":
    main()

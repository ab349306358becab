"""Issue 9.1, delivery cost: LMTP deliveries per second into Maildir, with a
fixed message set and a fixed number of concurrent LMTP clients, for
  (a) stock Dovecot, (b) with notify + push_notification and the dlog driver,
  (c) with lnotify and a UDP channel for every recipient, (c') the same with
  lnotify_spool_fsync = no, (d) (c) plus views and a notification filter.
The four run side by side, their rounds interleaved (a b c d a b c d ...) so
background noise lands on all alike; each figure is the median of the rounds
and is reported as a ratio to (a) of the same run.

    sudo python3 bench/delivery_rate.py [ROUNDS] [DELIVERIES-PER-CLIENT] [CLIENTS]
"""

import smtplib
import sys
import threading
import time

from bench_common import CONFIGURATIONS, MESSAGES, UdpReceiver, median, start


def drain(receiver, stop):
    receiver.sock.settimeout(0.2)
    while not stop.is_set():
        try:
            receiver.sock.recv(65536)
        except OSError:
            pass


def deliveries_per_second(dovecot, clients, per_client):
    errors = []

    def client(index):
        rcpt = ("alice", "bob")[index % 2] + "@example.test"
        try:
            with smtplib.LMTP("127.0.0.1", dovecot.lmtp_port) as lmtp:
                for i in range(per_client):
                    lmtp.sendmail("sender@example.org", [rcpt], MESSAGES[i % len(MESSAGES)])
        except Exception as e:  # reported below: a failed round is no figure
            errors.append(e)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    begin = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - begin
    if errors:
        raise RuntimeError(f"LMTP delivery failed: {errors[0]}")
    return clients * per_client / elapsed


def run(rounds=5, per_client=100, clients=4):
    receiver = UdpReceiver()
    stop = threading.Event()
    drainer = threading.Thread(target=drain, args=(receiver, stop), daemon=True)
    drainer.start()
    instances = {}
    try:
        for config in CONFIGURATIONS:
            instances[config] = start(config, receiver)
        for dovecot in instances.values():
            deliveries_per_second(dovecot, clients, 10)  # warm up
        rates = {config: [] for config in CONFIGURATIONS}
        for _ in range(rounds):
            for config, dovecot in instances.items():
                rates[config].append(deliveries_per_second(dovecot, clients, per_client))
        return {config: median(values) for config, values in rates.items()}
    finally:
        stop.set()
        for dovecot in instances.values():
            dovecot.cleanup()
        receiver.close()


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    per_client = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    clients = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    result = run(rounds, per_client, clients)
    print(f"LMTP deliveries/s, {clients} clients x {per_client}, median of {rounds} interleaved rounds:")
    for config, rate in result.items():
        print(f"  ({config}) {CONFIGURATIONS[config]:45} {rate:8.1f}/s  {rate / result['a']:5.3f} x (a)")
    print(f"  (c) / (b) = {result['c'] / result['b']:.3f}")


if __name__ == "__main__":
    main()

"""Issue 9.5: memory an imap process gains from the lnotify and
imap_lnotify plugins. The same sessions (LOGIN, SELECT INBOX with a
notification channel configured, a delivery seen, NOOP) in stock Dovecot and
in Dovecot with lnotify; per imap process, from /proc/PID/smaps_rollup: the
resident set and the private (unshared) memory, medians over the sessions.

    sudo python3 bench/imap_memory.py [SESSIONS]
"""

import os
import sys

from bench_common import CHANNEL, ADDRESS, UdpReceiver, median, start


def imap_children(dovecot):
    """imap processes of this instance: children of its master."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if int(fields[1]) == dovecot.process.pid and comm == "imap":
            pids.append(int(pid))
    return pids


def rollup(pid):
    values = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                values[parts[0].rstrip(":")] = int(parts[1])
    return values["Rss"], values.get("Private_Clean", 0) + values.get("Private_Dirty", 0)


def measure(config, sessions, receiver):
    dovecot = start(config, receiver, users=("alice",))
    clients = []
    try:
        for _ in range(sessions):
            client = dovecot.imap("alice")
            client.select("INBOX")
            clients.append(client)
        dovecot.deliver_lmtp()
        for client in clients:
            client.noop()
        pids = imap_children(dovecot)
        if len(pids) < sessions:
            raise RuntimeError(f"found {len(pids)} imap processes for {sessions} sessions")
        figures = [rollup(pid) for pid in pids]
        return median([rss for rss, _ in figures]), median([private for _, private in figures])
    finally:
        for client in clients:
            try:
                client.logout()
            except Exception:
                pass
        dovecot.cleanup()


def run(sessions=5):
    receiver = UdpReceiver()
    try:
        return {config: measure(config, sessions, receiver) for config in ("a", "c")}
    finally:
        receiver.close()


def main():
    sessions = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    result = run(sessions)
    (rss_a, priv_a), (rss_c, priv_c) = result["a"], result["c"]
    print(f"imap process memory, median of {sessions} sessions (KiB):")
    print(f"  {'':28} {'resident':>10} {'private':>10}")
    print(f"  {'stock Dovecot':28} {rss_a:10.0f} {priv_a:10.0f}")
    print(f"  {'Dovecot + lnotify':28} {rss_c:10.0f} {priv_c:10.0f}")
    print(f"  {'added by lnotify':28} {rss_c - rss_a:10.0f} {priv_c - priv_a:10.0f}")


if __name__ == "__main__":
    main()

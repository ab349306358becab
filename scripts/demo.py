"""The main job, end to end on loopback: a sandboxed Dovecot with lnotify and
its dispatcher, a phone's preferences set over IMAP, a sample delivery, and
the OMA EMN wake-up printed as it arrives over UDP."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from lnotify_harness import Dovecot, UdpSink, sample_message  # noqa: E402


def step(text):
    print(f"\n== {text}")


def main():
    dovecot = Dovecot()
    sink = UdpSink()
    try:
        step(f"Starting Dovecot in {dovecot.root} (IMAP 127.0.0.1:{dovecot.imap_port}, "
             f"LMTP 127.0.0.1:{dovecot.lmtp_port})")
        dovecot.start()
        m = dovecot.wait_for_log(r"lnotify-dispatch: Info: started.*")
        print(m.group(0) if m else "(the dispatcher has not logged its start yet)")

        step("The phone logs in over IMAP and chooses UDP wake-ups")
        client = dovecot.imap("alice")
        typ, data = client.capability()
        print("CAPABILITY:", data[0].decode())
        for entry, value in (("/private/notify/outband/channel", "UDP=WAKEUP"),
                             ("/private/notify/outband/address", sink.address)):
            typ, data = dovecot.set_metadata(client, "INBOX", entry, value)
            print(f'C: SETMETADATA INBOX ({entry} "{value}")\nS: {typ} {data[0].decode()}')
        client.logout()

        step("A message for alice@example.test arrives by LMTP")
        started = time.time()
        refused = dovecot.deliver_lmtp("alice@example.test", sample_message())
        print("LMTP:", "delivered" if not refused else f"refused {refused}")

        step(f"Waiting on UDP {sink.address} for the notification")
        datagram = sink.receive(timeout=10)
        if datagram is None:
            print("No notification arrived. Dovecot's log:\n" + dovecot.log())
            return 1
        print(f"Received {len(datagram)} bytes after {(time.time() - started) * 1000:.0f} ms:\n")
        print(datagram.decode())
        m = dovecot.wait_for_log(r"lnotify-dispatch: Info: sent .*")
        if m:
            print("Dispatcher log:", m.group(0))
        return 0
    finally:
        sink.close()
        dovecot.cleanup()


if __name__ == "__main__":
    sys.exit(main())

"""Issue 10: the plugins and the dispatcher under Valgrind's memcheck inside
a real Dovecot. imap, lmtp and lnotify-dispatch run under valgrind (the
service executables are wrapped); a session sets preferences, views and
filters, idles with inband push, takes deliveries, flags and expunges; then
Dovecot stops, every process exits and memcheck reports. No error and no
definitely lost block may remain, other than the suppressed reports of
Dovecot's own code (tests/valgrind/dovecot-2.3.19.supp, each explained).
Slow by nature (every process is emulated): one scenario."""

import glob
import os
import re
import shutil
import unittest

from lnotify_harness import ADDRESS, BUILD, CHANNEL, REPO, Dovecot, RawImap, UdpSink, built, sample_message

VALGRIND = shutil.which("valgrind")
SUPPRESSIONS = os.path.join(REPO, "tests", "valgrind", "dovecot-2.3.19.supp")


def wrapped(root, executable):
    return (f"{VALGRIND} --log-file={root}/valgrind/%p.log --leak-check=full "
            f"--show-leak-kinds=definite --errors-for-leak-kinds=definite --num-callers=40 "
            f"--suppressions={SUPPRESSIONS} {executable}")


class MemcheckInDovecot(unittest.TestCase):
    def setUp(self):
        self.assertIsNotNone(VALGRIND, "valgrind is missing: run scripts/install-deps.sh")
        self.dovecot = Dovecot()
        self.addCleanup(self.dovecot.cleanup)
        root = self.dovecot.root
        logs = os.path.join(root, "valgrind")
        os.mkdir(logs)
        os.chmod(logs, 0o1777)  # imap and lmtp run as the mail user
        dispatch_conf = os.path.join(root, "lnotify-dispatch.conf")
        self.dovecot.extra_conf = f"""
service imap {{
  executable = {wrapped(root, "/usr/lib/dovecot/imap")}
}}
service lmtp {{
  executable = {wrapped(root, "/usr/lib/dovecot/lmtp")}
}}
service lnotify-dispatch {{
  executable = {wrapped(root, built("lnotify-dispatch"))} {dispatch_conf}
}}
"""
        self.dovecot.write_dispatch_conf()
        self.dovecot._write_conf(dispatch_conf)
        self.dovecot.start(timeout=60)
        self.sink = UdpSink()
        self.addCleanup(self.sink.close)

    def test_no_memory_errors_and_no_leaks(self):
        d = self.dovecot
        self.assertIsNotNone(d.wait_for_log(r"lnotify-dispatch: Info: started", timeout=60))
        client = d.imap("alice")
        for entry, value in (("/private/filters/values/boss", "FROM boss@example.org"),):
            self.assertEqual(d.set_metadata(client, "", entry, value)[0], "OK")
        for entry, value in ((CHANNEL, "UDP=EXTENDED"), (ADDRESS, self.sink.address),
                             ("/private/notify/view", "boss"),
                             ("/private/notify/outband/channel", "UDP=EXTENDED")):
            self.assertEqual(d.set_metadata(client, "INBOX", entry, value)[0], "OK")
        self.assertEqual(d.set_metadata(client, "INBOX", ADDRESS, "10.1.2.3:9")[0], "NO")
        client.logout()

        d.deliver_lmtp(message=sample_message(sender="boss@example.org"))
        d.deliver_lmtp(message=sample_message(sender="friend@example.org"))
        self.assertIsNotNone(self.sink.receive(timeout=60), "the boss's message is notified")

        idle = RawImap(d.imap_port, "alice")
        idle.command("ENABLE LNOTIFICATION")
        idle.command("SELECT INBOX")
        idle.idle()
        d.deliver_lmtp(message=sample_message(sender="boss@example.org"))
        self.assertTrue(any("EXISTS" in line for line in idle.lines_until_quiet(first_timeout=30)))
        idle.sock.sendall(b"DONE\r\n")
        while (line := idle.line(30)) is not None and not line.startswith("idle "):
            pass
        idle.command("STORE 1 +FLAGS (\\Seen \\Flagged)")
        idle.command("STORE 2 +FLAGS (\\Deleted)")
        idle.command("EXPUNGE")
        idle.close()

        d.stop()
        reports = glob.glob(os.path.join(d.root, "valgrind", "*.log"))
        commands = set()
        problems = []
        for path in reports:
            with open(path) as f:
                text = f.read()
            command = re.search(r"Command: (\S+)", text)
            commands.add(os.path.basename(command.group(1)) if command else "?")
            summary = re.search(r"ERROR SUMMARY: (\d+) errors", text)
            if summary is None:
                problems.append(f"{path}: no ERROR SUMMARY (the process did not exit cleanly?)\n{text[-2000:]}")
            elif summary.group(1) != "0":
                problems.append(f"{path}:\n{text}")
        self.assertEqual(problems, [], "\n\n".join(problems))
        self.assertTrue({"imap", "lmtp", "lnotify-dispatch"} <= commands, commands)


if __name__ == "__main__":
    unittest.main()

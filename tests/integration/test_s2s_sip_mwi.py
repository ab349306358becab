"""Server-to-server MWI to a SIP target (issue 13 item 3), end to end: a
real Dovecot and dispatcher configured with `s2s_target = pbx
sip=sip:alice-mwi@127.0.0.1:PORT`, and sipp as the MWI target, whose
scenario checks each RFC 3842 message-summary body with an ereg (a
mismatch fails the call and sipp exits 1).

- an LMTP delivery sends `Messages-Waiting: yes` with the account's imap://
  URL and `Text-Message: 1/0`;
- marking every message \\Seen over IMAP sends `Messages-Waiting: no` with
  `Text-Message: 0/1`;
- a 4xx answer is a request error: logged, not retried.

A missing sipp fails the test (CI installs sip-tester).
"""

import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))

from lnotify_harness import Dovecot  # noqa: E402
from sipp_peer import SippUas, uas_scenario  # noqa: E402


def summary_regexp(waiting, account, new, old):
    return (f"^Messages-Waiting: {waiting}[[:space:]]+"
            f"Message-Account: {re.escape(account)}[[:space:]]+"
            f"Text-Message: {new}/{old}[[:space:]]*$")


class SipMwiTestCase(unittest.TestCase):
    def setUp(self):
        self.dovecot = Dovecot()
        self.addCleanup(self.dovecot.cleanup)
        self.account = f"imap://alice%40example.test@127.0.0.1:{self.dovecot.imap_port}/"

    def start(self, peer):
        self.dovecot.dispatch_settings.update({"retry_base": "1", "retry_max": "2", "sip_t1_ms": "100"})
        self.dovecot.dispatch_settings["imap_host"] = f"127.0.0.1:{self.dovecot.imap_port}"
        self.target = f"sip:alice-mwi@{peer.uri_host}"
        self.dovecot.dispatch_settings["s2s_target"] = f"pbx sip={self.target} events=MWI"
        self.dovecot.write_dispatch_conf()
        self.dovecot.start()

    def tearDown(self):
        result = self._outcome.result
        if any(t is self for t, _ in result.failures + result.errors):
            print(f"\n---- Dovecot log for {self.id()} ----\n{self.dovecot.log()}---- end of log ----")

    def check_notify(self, peer):
        (start, headers, body), = peer.received()
        self.assertEqual(start, f"NOTIFY {self.target} SIP/2.0")
        self.assertEqual(headers["event"], "message-summary")
        self.assertEqual(headers["content-type"], "application/simple-message-summary")
        return body


class SipMwi(SipMwiTestCase):
    def test_on_after_delivery_off_once_all_seen(self):
        on = SippUas(uas_scenario(method="NOTIFY",
                                  body_regexp=summary_regexp("yes", self.account, "1", "0")))
        self.addCleanup(on.cleanup)
        self.start(on)
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        self.assertEqual(on.wait(20), 0, on.output())
        self.assertEqual(self.check_notify(on),
                         f"Messages-Waiting: yes\nMessage-Account: {self.account}\nText-Message: 1/0")
        on.stop()

        # The same address, now expecting OFF.
        off = SippUas(uas_scenario(method="NOTIFY",
                                   body_regexp=summary_regexp("no", self.account, "0", "1"),
                                   wait_ms=2000), port=on.port)
        self.addCleanup(off.cleanup)
        client = self.dovecot.imap("alice")
        client.select("INBOX")
        client.uid("STORE", "1", "+FLAGS", "(\\Seen)")
        client.logout()
        # wait_ms: a second NOTIFY (a repeat) would arrive within it.
        self.assertEqual(off.wait(20), 0, off.output())
        self.assertEqual(self.check_notify(off),
                         f"Messages-Waiting: no\nMessage-Account: {self.account}\nText-Message: 0/1")


class SipMwiRequestError(SipMwiTestCase):
    def test_4xx_is_not_retried(self):
        peer = SippUas(uas_scenario(method="NOTIFY", status="404 Not Found", wait_ms=4000))
        self.addCleanup(peer.cleanup)
        self.start(peer)
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"lnotify-dispatch: Error: notification dropped \(.*request error: target pbx: .*404"),
            self.dovecot.log())
        self.assertEqual(peer.wait(20), 0, peer.output())
        # retry_base is 1 s: a retry would have come within the 4 s pause.
        self.assertEqual(len(peer.received()), 1, peer.received())


if __name__ == "__main__":
    unittest.main()

"""Issue 7 item 2: the SIP channel against a real SIP UAS (sipp).

An LMTP delivery for a user whose channel is SIP sends an RFC 3428 MESSAGE
to the user's sip: URI; sipp's scenario checks the body (an <ereg
check_it="true">, so a wrong body makes sipp exit 1) and answers. The
dispatcher runs with T1 = 100 ms (sip_t1_ms), so Timer F is 6.4 s and the
no-answer case stays short.
"""

import os
import re
import socket
import subprocess
import unittest

from lnotify_harness import ADDRESS, BUILD, CHANNEL, DovecotTestCase, parse_emn
from sipp_peer import SippUas, digest_uas_scenario, uas_scenario

SIP_DISPATCH = {"channels": "UDP SIP", "sip_t1_ms": "100", "retry_base": "1", "retry_max": "2"}
EMN_BODY = r'<emn [^>]*mailbox="[^"]+"'
XEMN_BODY = r'<xemn [^>]*event="MessageNew"'


class SipTestCase(DovecotTestCase):
    dispatch_settings = SIP_DISPATCH

    def setUp(self):
        super().setUp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"),
                             self.dovecot.log())
        self.peers = []

    def tearDown(self):
        result = self._outcome.result
        if any(test is self for test, _ in result.failures + result.errors):
            for peer in self.peers:
                print(f"\n---- sipp for {self.id()} ----\n{peer.output()}")
        super().tearDown()

    def sipp(self, scenario, transport="udp", timeout_s=30):
        peer = SippUas(scenario, transport=transport, timeout_s=timeout_s)
        self.peers.append(peer)
        self.addCleanup(peer.cleanup)
        return peer


class SipMessage(SipTestCase):
    def test_wakeup_over_udp_reaches_sipp(self):
        peer = self.sipp(uas_scenario(body_regexp=EMN_BODY))
        address = f"sip:alice@{peer.uri_host}"
        self.choose("SIP=WAKEUP", address)
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        self.assertEqual(peer.wait(20), 0, peer.output())
        received = peer.received()
        self.assertEqual(len(received), 1, received)
        start, headers, body = received[0]
        self.assertEqual(start, f"MESSAGE {address} SIP/2.0")
        self.assertEqual(headers["content-type"], "text/vnd.wap.emn+xml")
        self.assertRegex(headers["via"], r"^SIP/2.0/UDP 127\.0\.0\.1:\d+;branch=z9hG4bK")
        self.assertRegex(headers["from"], r"^<sip:lnotify@[^>]+>;tag=\w+")
        self.assertEqual(headers["to"], f"<{address}>")
        self.assertEqual(headers["cseq"], "1 MESSAGE")
        # sipp's log drops the body's final newline
        self.assertIn(int(headers["content-length"]) - len(body.encode()), (0, 1))
        mailbox, _ = parse_emn(body.encode())
        self.assertTrue(mailbox)
        self.assertIsNotNone(self.dovecot.wait_for_log(
            rf"sent WAKEUP over SIP to {re.escape(address)} \(user=alice@example.test"), self.dovecot.log())

    def test_extended_over_tcp_reaches_sipp(self):
        peer = self.sipp(uas_scenario(body_regexp=XEMN_BODY), transport="tcp")
        address = f"sip:alice@{peer.uri_host};transport=tcp"
        self.choose("SIP=EXTENDED", address)
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        self.assertEqual(peer.wait(20), 0, peer.output())
        received = peer.received()
        self.assertEqual(len(received), 1, received)
        start, headers, body = received[0]
        self.assertEqual(start, f"MESSAGE {address} SIP/2.0")
        self.assertEqual(headers["content-type"], "application/vnd.lnotify.xemn+xml")
        self.assertRegex(headers["via"], r"^SIP/2.0/TCP 127\.0\.0\.1:\d+;branch=z9hG4bK")
        self.assertIn('subject="Hello from lnotify"', body)
        self.assertIsNotNone(self.dovecot.wait_for_log(
            rf"sent EXTENDED over SIP to {re.escape(address)}"), self.dovecot.log())


class SipFailures(SipTestCase):
    def test_404_is_not_retried(self):
        peer = self.sipp(uas_scenario(status="404 Not Found", body_regexp=EMN_BODY, wait_ms=3000))
        address = f"sip:alice@{peer.uri_host}"
        self.choose("SIP=WAKEUP", address)
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        m = self.dovecot.wait_for_log(
            r"lnotify-dispatch: Error: notification dropped \(user=alice@example.test [^\n]*\): "
            rf"SIP 404 Not Found from {re.escape(address)} \(the request was refused\)")
        self.assertIsNotNone(m, self.dovecot.log())
        # sipp waits 3 s more; the dispatcher's retry_base is 1 s
        self.assertEqual(peer.wait(20), 0, peer.output())
        self.assertEqual(len(peer.received()), 1, peer.received())
        self.assertNotRegex(self.dovecot.log(), r"notification deferred")

    def test_503_with_retry_after_is_retried(self):
        """503 is temporary; Retry-After: 2 holds the retry for 2 s (the
        dispatcher's own backoff would be 1 s)."""
        scenario = uas_scenario(status="503 Service Unavailable", body_regexp=EMN_BODY).replace(
            "      Content-Length: 0\n", "      Retry-After: 2\n      Content-Length: 0\n")
        peer = self.sipp(scenario)
        self.choose("SIP=WAKEUP", f"sip:alice@{peer.uri_host}")
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        m = self.dovecot.wait_for_log(r"notification deferred \([^\n]*\): SIP 503 Service Unavailable from "
                                      r"[^\n]*; attempt 1 failed, next in (\d+)")
        self.assertIsNotNone(m, self.dovecot.log())
        self.assertGreaterEqual(int(m.group(1)), 1)
        self.assertEqual(peer.wait(20), 0, peer.output())

    def test_missing_answer_is_retransmitted(self):
        # sipp listens past Timer F (6.4 s): the dispatcher gives up on its own
        peer = self.sipp(uas_scenario(status=None, body_regexp=EMN_BODY, wait_ms=7500))
        self.choose("SIP=WAKEUP", f"sip:alice@{peer.uri_host}")
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        self.assertEqual(peer.wait(20), 0, peer.output())
        received = peer.received()
        # the first transaction's copies; the dispatcher's retry (1 s after
        # Timer F) is a new transaction with its own Call-ID and branch
        first = [r for r in received if r[1]["call-id"] == received[0][1]["call-id"]]
        # T1 = 100 ms: copies at 0, 100, 300, 700, 1500, 3100, 6300 ms
        self.assertEqual(len(first), 7, received)
        self.assertEqual({SippUas.branch(h) for _, h, _ in first}, {SippUas.branch(received[0][1])})
        self.assertEqual({b for _, _, b in first}, {received[0][2]})
        m = self.dovecot.wait_for_log(r"notification deferred \([^\n]*\): MESSAGE to 127\.0\.0\.1:\d+/UDP: "
                                      r"no answer within 6\.4 s \(Timer F; 7 transmissions\)", timeout=15)
        self.assertIsNotNone(m, self.dovecot.log())


class SipAuthentication(SipTestCase):
    """RFC 3261 §22: a 401 challenge is answered once with the configured
    credentials; sipp's <verifyauth> computes the digest on its own."""
    dispatch_settings = dict(SIP_DISPATCH, sip_username="lnotify", sip_password="s3cret")

    def test_a_challenge_is_answered_with_valid_credentials(self):
        peer = self.sipp(digest_uas_scenario("lnotify", "s3cret"))
        address = f"sip:alice@{peer.uri_host}"
        self.choose("SIP=WAKEUP", address)
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        self.assertEqual(peer.wait(20), 0, peer.output())
        self.assertIn("MESSAGE auth=true", peer.actions())
        first, second = peer.received()
        self.assertEqual(first[1]["call-id"], second[1]["call-id"])
        self.assertEqual(second[1]["cseq"], "2 MESSAGE")
        self.assertNotIn("authorization", first[1])
        self.assertRegex(second[1]["authorization"], r'^Digest username="lnotify", realm="example\.test", '
                                                     r'nonce="[^"]+", uri="sip:alice@[^"]+", response="[0-9a-f]{32}"')
        self.assertIsNotNone(self.dovecot.wait_for_log(
            rf"sent WAKEUP over SIP to {re.escape(address)}"), self.dovecot.log())

    def test_refused_credentials_are_a_permanent_failure(self):
        peer = self.sipp(digest_uas_scenario("lnotify", "another-password"))
        self.choose("SIP=WAKEUP", f"sip:alice@{peer.uri_host}")
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        self.assertEqual(peer.wait(20), 0, peer.output())
        self.assertIn("MESSAGE auth=false", peer.actions())
        m = self.dovecot.wait_for_log(
            r"notification dropped \(user=alice@example.test [^\n]*\): MESSAGE to 127\.0\.0\.1:\d+/UDP: "
            r"SIP 401 again after authenticating as \"lnotify\": the credentials are refused")
        self.assertIsNotNone(m, self.dovecot.log())
        self.assertEqual(len(peer.received()), 2, "answered once, not in a loop")


class SipDestinationAllowList(SipTestCase):
    def test_outside_destination_is_refused_and_never_contacted(self):
        outside = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(outside.close)
        outside.bind(("127.0.0.2", 0))
        outside.settimeout(3)
        address = f"sip:alice@127.0.0.2:{outside.getsockname()[1]}"
        client = self.imap()
        typ, data = self.dovecot.set_metadata(client, "INBOX", CHANNEL, "SIP=WAKEUP")
        self.assertEqual(typ, "OK", data)
        typ, data = self.dovecot.set_metadata(client, "INBOX", ADDRESS, address)
        self.assertEqual(typ, "NO")
        self.assertIn('"127.0.0.2" is not an allowed destination on this server (allowed: 127.0.0.1 ::1)',
                      data[0].decode())
        # stored behind Dovecot's back: the dispatcher refuses it too
        typ, data = self.dovecot.set_metadata(client, "INBOX", ADDRESS, "sip:alice@127.0.0.1:9")
        self.assertEqual(typ, "OK", data)
        self.dovecot.edit_attribute_dict("alice", "notify/outband/address", address)
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"lnotify-dispatch: Error: notification dropped \(user=alice@example.test .*127\.0\.0\.2 is not "
            r"an allowed destination"), self.dovecot.log())
        with self.assertRaises(socket.timeout):
            outside.recvfrom(100)


class SipMessageSummary(unittest.TestCase):
    """The RFC 3842 NOTIFY that server-to-server MWI sends (sip_notify.h),
    through the test tool lnotify-sip-mwi, checked by sipp's scenario."""

    def mwi(self, *args):
        tool = os.path.join(BUILD, "tests", "lnotify-sip-mwi")
        return subprocess.run([tool, *args], capture_output=True, text=True, timeout=30)

    def test_notify_reaches_sipp(self):
        for waiting, new, old in (("yes", "2", "8"), ("no", "0", "10")):
            with self.subTest(waiting=waiting):
                peer = SippUas(uas_scenario(method="NOTIFY",
                                            body_regexp=f"^Messages-Waiting: {waiting}[[:space:]]+"
                                                        f"Message-Account: imap://alice@mail.example.test/INBOX"
                                                        f"[[:space:]]+Text-Message: {new}/{old}[[:space:]]*$"))
                self.addCleanup(peer.cleanup)
                target = f"sip:mwi@{peer.uri_host}"
                result = self.mwi(target, waiting, "imap://alice@mail.example.test/INBOX", new, old, "100")
                self.assertEqual((result.returncode, result.stdout.strip()), (0, "ok"), result.stderr)
                self.assertEqual(peer.wait(20), 0, peer.output())
                (start, headers, body), = peer.received()
                self.assertEqual(start, f"NOTIFY {target} SIP/2.0")
                self.assertEqual(headers["event"], "message-summary")
                self.assertEqual(headers["subscription-state"], "active")
                self.assertEqual(headers["content-type"], "application/simple-message-summary")

    def test_request_error_is_permanent(self):
        peer = SippUas(uas_scenario(method="NOTIFY", status="400 Bad Request"))
        self.addCleanup(peer.cleanup)
        result = self.mwi(f"sip:mwi@{peer.uri_host}", "yes", "imap://alice@h/INBOX", "1", "0", "100")
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("SIP 400 Bad Request", result.stdout)
        self.assertEqual(peer.wait(20), 0, peer.output())


class SipProvision(SipTestCase):
    def test_provision_lists_sip(self):
        client = self.imap()
        typ, values, text = self.dovecot.get_metadata(client, "", CHANNEL)
        self.assertEqual(typ, "OK", text)
        self.assertEqual(values[CHANNEL], "NONE UDP=WAKEUP UDP=EXTENDED SIP=WAKEUP SIP=EXTENDED")


if __name__ == "__main__":
    unittest.main()

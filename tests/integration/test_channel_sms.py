"""Issue 7 item 3: the SMS channel against a real Kannel (bearerbox +
smsbox + fakesmsc, tests/integration/kannel_peer.py), end to end from an
LMTP delivery (and from a Sieve notify "sms:..." action, issue 11).

What fakesmsc prints is what Kannel would hand an SMSC: the UDH and the
8-bit user data of each SMS. Those bytes are wrapped in SMPP submit_sm PDUs
and decoded by tshark (as in test_payload_decoders.py): port addressing,
concatenation and, after tshark's reassembly, the WSP push carrying the
EMN, whose WBXML libwbxml's wbxml2xml turns back into the EMN document.

A missing Kannel, tshark or wbxml2xml is a failure, not a skip
(scripts/install-deps.sh installs them).
"""

import os
import re
import tempfile
import time
import unittest
import xml.dom.minidom

import kannel_peer
import test_payload_decoders as decoders
import test_sieve as sieve
from lnotify_harness import ADDRESS, CHANNEL, DovecotTestCase, sample_message, utc_seconds

NUMBER = "+15551234567"
WAP_PUSH_UDH = bytes.fromhex("0605040b8423f0")  # ports 2948 <- 9200


def decode_sms(parts, *tshark_args):
    """tshark's fields for the SMS (udh + data) as an SMSC would get them."""
    packets = [decoders.smpp_submit_sm(p.udh + p.data, i + 1) for i, p in enumerate(parts)]
    return decoders.tshark_fields(decoders.hex_dump(packets), ["-T", "40000,2775"], tshark_args)


def emn_of(wbxml):
    """The EMN document wbxml2xml reads from WBXML bytes: (mailbox, timestamp)."""
    with tempfile.TemporaryDirectory(prefix="lnotify-wbxml-") as tmp:
        src, out = os.path.join(tmp, "emn.wbxml"), os.path.join(tmp, "emn.xml")
        with open(src, "wb") as f:
            f.write(wbxml)
        decoders.run_tool("wbxml2xml", "-o", out, src)
        with open(out, "rb") as f:
            doc = xml.dom.minidom.parseString(f.read())
    assert doc.doctype.publicId == decoders.EMN_PUBLIC_ID, doc.toxml()
    root = doc.documentElement
    assert root.tagName == "emn", doc.toxml()
    return root.getAttribute("mailbox"), root.getAttribute("timestamp")


class SmsTestCase(DovecotTestCase):
    """Kannel started before Dovecot, the dispatcher pointed at its sendsms
    port; sms_settings() adds or changes settings per class."""

    start_kannel = True

    def sms_settings(self):
        return {}

    def setUp(self):
        decoders.require_tools("text2pcap", "tshark", "wbxml2xml")
        self.kannel = kannel_peer.Kannel()
        self.addCleanup(self.kannel.cleanup)
        if self.start_kannel:
            self.kannel.start()
        settings = {
            "channels": "UDP SMS",
            "sms_gateway_url": self.kannel.sendsms_url,
            "sms_username": kannel_peer.USERNAME,
            "sms_password": kannel_peer.PASSWORD,
            "retry_base": "1",
            "retry_max": "2",
            **self.sms_settings(),
        }
        # None: the setting is left out
        self.dispatch_settings = {k: v for k, v in settings.items() if v is not None}
        super().setUp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"),
                             self.dovecot.log())

    def tearDown(self):
        super().tearDown()
        result = self._outcome.result
        if any(test is self for test, _ in result.failures + result.errors):
            print(f"\n---- Kannel logs for {self.id()} ----\n{self.kannel.logs()}\n---- end ----")

    def wait_for_sent(self, count=1, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            sent = [n for n in self.dovecot.sent_notifications() if n["channel"] == "SMS"]
            if len(sent) >= count:
                return sent
            time.sleep(0.1)
        self.fail(f"the dispatcher logged {count} SMS notification(s) as sent:\n" + self.dovecot.log())


class WakeupThroughKannel(SmsTestCase):
    def test_wakeup_is_a_binary_wap_push_carrying_the_emn(self):
        self.choose("SMS=WAKEUP", NUMBER)
        before = int(time.time())
        self.dovecot.deliver_lmtp()
        [sms] = self.kannel.wait_received(1)
        sent = self.wait_for_sent()
        self.assertEqual((sent[0]["format"], sent[0]["address"]), ("WAKEUP", NUMBER))
        self.assertEqual(sms.receiver, NUMBER)
        self.assertEqual(sms.udh, WAP_PUSH_UDH, sms)
        self.assertLessEqual(len(sms.udh + sms.data), 140)

        fields = decode_sms([sms])
        self.assertEqual([s for s, _ in fields["gsm_sms.destination_port"]], ["2948"])
        self.assertEqual([s for s, _ in fields["gsm_sms.originator_port"]], ["9200"])
        self.assertNotIn("gsm_sms.udh.mm.msg_id", fields, "one SMS, no concatenation")
        self.assertEqual(fields["wsp.pdu_type"], [("0x06", "06")])
        self.assertEqual(fields["wsp.header.content_type"][0][1], "0302030a")
        self.assertEqual(fields["wsp.header.x_wap_application_id"][0][0], decoders.EMN_APP_ID)
        mailbox, timestamp = emn_of(bytes.fromhex(fields["media.type"][0][1]))
        self.assertEqual(mailbox, "mailat:alice@example.test")
        self.assertLessEqual(abs(utc_seconds(timestamp) - before), 60)
        # Kannel's access log agrees: 8-bit (coding 1) with that UDH
        with open(os.path.join(self.kannel.root, "access.log")) as f:
            self.assertRegex(f.read(), r"Sent SMS \[SMSC:FAKE\].*\[flags:-1:1:.*\[udh:7:0605040B8423F0\]")

    def test_extended_is_not_offered_when_text_is_not_allowed(self):
        # What the channel sends for EXTENDED without sms_extended_as_text
        # is the wake-up, so it offers only that (draft §11.2).
        client = self.imap()
        typ, values, text = self.dovecot.get_metadata(client, "", [CHANNEL])
        self.assertEqual(typ, "OK", text)
        self.assertIn("SMS=WAKEUP", values[CHANNEL].split())
        self.assertNotIn("SMS=EXTENDED", values[CHANNEL].split())
        typ, data = self.dovecot.set_metadata(client, "INBOX", CHANNEL, "SMS=EXTENDED")
        self.assertEqual(typ, "NO", data)
        self.assertIn(b"SMS=EXTENDED is not offered by this server", b" ".join(
            d for d in data if isinstance(d, bytes)))


class LongWakeupThroughKannel(SmsTestCase):
    """An imap:// mailbox URL on a long host name makes the WSP push longer
    than one SMS: it arrives as concatenated parts that reassemble."""

    HOST = "imap." + "a" * 60 + "." + "b" * 60 + ".example.test"

    def sms_settings(self):
        return {"mailbox_uri": "imap", "imap_host": self.HOST}

    def test_long_wakeup_arrives_as_concatenated_parts(self):
        self.choose("SMS=WAKEUP", NUMBER)
        self.dovecot.deliver_lmtp()
        self.wait_for_sent()
        parts = self.kannel.received()
        self.assertGreater(len(parts), 1, parts)
        for part in parts:
            self.assertLessEqual(len(part.udh + part.data), 140, part)
            self.assertEqual(part.receiver, NUMBER)
        fields = decode_sms(parts)
        self.assertEqual(len({s for s, _ in fields["gsm_sms.udh.mm.msg_id"]}), 1, "one reference")
        self.assertEqual({s for s, _ in fields["gsm_sms.udh.mm.msg_parts"]}, {str(len(parts))})
        self.assertEqual([s for s, _ in fields["gsm_sms.udh.mm.msg_part"]],
                         [str(i + 1) for i in range(len(parts))])
        self.assertEqual(fields["wsp.pdu_type"], [("0x06", "06")])
        self.assertEqual(fields["wsp.header.x_wap_application_id"][0][0], decoders.EMN_APP_ID)
        mailbox, _ = emn_of(bytes.fromhex(fields["media.type"][0][1]))
        self.assertTrue(mailbox.startswith(f"imap://alice%40example.test@{self.HOST}/INBOX;"), mailbox)


class AppendixAPortThroughKannel(SmsTestCase):
    """sms_port = 143: draft Appendix A's "OMA EMN or extended format
    notifications should be sent to port 143 via GSM SMS"."""

    def sms_settings(self):
        return {"sms_port": "143"}

    def test_wakeup_goes_to_port_143(self):
        self.choose("SMS=WAKEUP", NUMBER)
        self.dovecot.deliver_lmtp()
        [sms] = self.kannel.wait_received(1)
        self.wait_for_sent()
        self.assertEqual(sms.udh, bytes.fromhex("060504008f23f0"), sms)  # ports 143 <- 9200
        # tshark hands port-addressed SMS to WSP only for the registered WAP
        # ports unless told that any port means WSP.
        fields = decode_sms([sms], "-o", "gsm_sms_ud.port_number_udh_means_wsp:TRUE")
        self.assertEqual([s for s, _ in fields["gsm_sms.destination_port"]], ["143"])
        self.assertEqual([s for s, _ in fields["gsm_sms.originator_port"]], ["9200"])
        self.assertEqual(fields["wsp.header.x_wap_application_id"][0][0], decoders.EMN_APP_ID)
        mailbox, _ = emn_of(bytes.fromhex(fields["media.type"][0][1]))
        self.assertEqual(mailbox, "mailat:alice@example.test")


class ExtendedAsTextThroughKannel(SmsTestCase):
    def sms_settings(self):
        return {"sms_extended_as_text": "yes", "sms_max_parts": "10"}

    def test_extended_is_offered(self):
        client = self.imap()
        typ, values, text = self.dovecot.get_metadata(client, "", [CHANNEL])
        self.assertEqual(typ, "OK", text)
        self.assertIn("SMS=EXTENDED", values[CHANNEL].split())

    def test_extended_is_the_xemn_as_text(self):
        self.choose("SMS=EXTENDED", NUMBER)
        self.dovecot.deliver_lmtp(message=sample_message(subject="numbers for Q3"))
        self.wait_for_sent()
        parts = self.kannel.wait_received(1)
        # Kannel splits a long text itself: the parts carry its own
        # concatenation UDH; their texts joined are the xemn document.
        text = "".join(p.text if p.udh is None else p.data.decode() for p in parts)
        root = xml.dom.minidom.parseString(text).documentElement
        self.assertEqual(root.tagName, "xemn", text)
        self.assertEqual(root.getAttribute("subject"), "numbers for Q3")
        self.assertEqual(root.getAttribute("mailbox"), "mailat:alice@example.test")


class TemplateThroughKannel(SmsTestCase):
    """sms_gateway = template, with Kannel's own sendsms URL written as a
    template: the generic path reaches a real gateway too."""

    def sms_settings(self):
        return {"sms_gateway": "template",
                "sms_gateway_url": None,
                "sms_template_url": self.kannel.sendsms_url +
                "?username={username}&password={password}&to={to}&udh={udh}&coding={coding}"
                "&text={text}"}

    def test_wakeup_through_the_template(self):
        self.choose("SMS=WAKEUP", NUMBER)
        self.dovecot.deliver_lmtp()
        [sms] = self.kannel.wait_received(1)
        self.assertEqual(sms.udh, WAP_PUSH_UDH, sms)
        fields = decode_sms([sms])
        mailbox, _ = emn_of(bytes.fromhex(fields["media.type"][0][1]))
        self.assertEqual(mailbox, "mailat:alice@example.test")
        self.wait_for_sent()


class WrongPasswordIsNotRetried(SmsTestCase):
    def sms_settings(self):
        return {"sms_password": "wrong"}

    def test_403_drops_the_notification(self):
        self.choose("SMS=WAKEUP", NUMBER)
        self.dovecot.deliver_lmtp()
        line = self.dovecot.wait_for_log(r"notification dropped .*SMS gateway 127\.0\.0\.1:\d+: "
                                         r'gateway refused the message: HTTP 403: "Authorization '
                                         r'failed for sendsms"')
        self.assertIsNotNone(line, self.dovecot.log())
        time.sleep(3)  # three times retry_base: a retry would have happened
        log = self.dovecot.log()
        self.assertNotIn("notification deferred", log)
        self.assertEqual(len(re.findall(r"Authorization failed", log)), 1, log)
        self.assertNotIn("wrong", log, "the password stays out of the log")
        self.assertEqual(self.kannel.received(), [])


class GatewayDownIsRetried(SmsTestCase):
    """Nothing listens on the sendsms port at first (connection refused):
    the notification is deferred; once Kannel runs, the retry reaches it."""

    start_kannel = False

    def test_refused_connection_is_retried_until_kannel_answers(self):
        self.choose("SMS=WAKEUP", NUMBER)
        self.dovecot.deliver_lmtp()
        deferred = self.dovecot.wait_for_log(
            r"notification deferred .*SMS gateway 127\.0\.0\.1:%d: (Couldn't connect|Failed to connect|.*refused)"
            % self.kannel.sendsms_port)
        self.assertIsNotNone(deferred, self.dovecot.log())
        self.kannel.start()
        [sms] = self.kannel.wait_received(1, timeout=20)
        self.assertEqual(sms.udh, WAP_PUSH_UDH)
        sent = self.wait_for_sent()
        self.assertEqual(sent[0]["address"], NUMBER)


class SieveNotifySms(SmsTestCase):
    """Issue 11: notify "sms:..." in a script uploaded over ManageSieve
    reaches Kannel's fake SMSC. alice's own device is UDP=EXTENDED with
    automatic notifications off (event filter NONE), so the SMS is the
    script's, in her format: EXTENDED, as text here, carrying :message."""

    extra_conf = sieve.SIEVE_CONF

    def sms_settings(self):
        return {"sms_extended_as_text": "yes", "sms_max_parts": "10"}

    def test_notify_sms_reaches_fakesmsc(self):
        client = self.imap()
        for entry, value in ((CHANNEL, "UDP=EXTENDED"), (ADDRESS, self.sink.address),
                             (sieve.EVENT_FILTER, "NONE")):
            typ, data = self.dovecot.set_metadata(client, "INBOX", entry, value)
            self.assertEqual(typ, "OK", data)
        path = os.path.join(self.dovecot.root, "sms.sieve")
        with open(path, "w") as f:
            f.write('require "enotify";\nnotify :message "call me" "sms:+1-555-123-4567";\nkeep;\n')
        for args in (("--localsieve", path, "--remotesieve", "sms", "--upload"),
                     ("--remotesieve", "sms", "--activate")):
            result = sieve.sieve_connect(self.dovecot, "alice", *args)
            self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.dovecot.deliver_lmtp(message=sample_message(subject="budget"))
        sent = self.wait_for_sent()
        self.assertEqual((sent[0]["format"], sent[0]["address"]), ("EXTENDED", NUMBER))
        parts = self.kannel.wait_received(1)
        text = "".join(p.text if p.udh is None else p.data.decode() for p in parts)
        root = xml.dom.minidom.parseString(text).documentElement
        self.assertEqual(root.tagName, "xemn", text)
        self.assertEqual(root.firstChild.data, "call me")
        self.assertEqual(root.getAttribute("subject"), "budget")
        self.assertIsNone(self.sink.receive(timeout=1), "only the script notifies")


if __name__ == "__main__":
    unittest.main()

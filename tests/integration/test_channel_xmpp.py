"""Issue 7 item 4 and issue 11: the XMPP channel against a real Prosody.
The dispatcher logs in as lnotify@localhost (STARTTLS required, the
server's certificate verified against the test's CA) and sends each
notification as a type="normal" message with the payload in a namespaced
element; bob receives it with a real client (slixmpp), online or, through
Prosody's offline storage, at his next login.

The payload is the draft's (§9, doc/payloads.md): the OMA EMN document for
WAKEUP, the xemn document for EXTENDED, as the element's text, parsed here
with libxml2 (xmllint); lnotify's JSON binding only with xmpp_payload = json."""

import json
import socket
import subprocess
import unittest
import xml.etree.ElementTree as ET

import test_sieve
from lnotify_harness import CHANNEL, DovecotTestCase, sample_message
from prosody_peer import DOMAIN, Prosody

NOTIFICATION_NS = "urn:ietf:params:xml:ns:lemonade-notifications"
JSON_TYPE = "application/vnd.lnotify.xemn+json"
XEMN_TYPE = "application/vnd.lnotify.xemn+xml"
EMN_TYPE = "text/vnd.wap.emn+xml"
EMN_PUBLIC_ID = "-//WAPFORUM//DTD EMN 1.0//EN"
BOB = f"bob@{DOMAIN}"


def libxml2_document(text):
    """The payload as libxml2 reads it: xmllint must accept it as a
    well-formed document (no network, no DTD fetched); returns its root
    element (xml.etree) and xmllint's serialisation."""
    result = subprocess.run(["xmllint", "--nonet", "--encode", "UTF-8", "-"], input=text.encode(),
                            capture_output=True, timeout=30)
    assert result.returncode == 0, f"libxml2 refuses the payload: {result.stderr.decode()}\n{text}"
    return ET.fromstring(text.encode()), result.stdout.decode()


def body_of(message):
    """The <body> text; slixmpp prints the stream's default namespace
    (jabber:client) or leaves it out."""
    body = message.find("{jabber:client}body")
    if body is None:
        body = message.find("body")
    return None if body is None else body.text


def start_prosody(test):
    prosody = Prosody({"lnotify": "dispatchpw", "bob": "bobpw"})
    test.addCleanup(prosody.cleanup)
    prosody.start()
    return prosody


def xmpp_settings(prosody):
    return {"channels": "UDP XMPP", "xmpp_jid": f"lnotify@{DOMAIN}",
            "xmpp_password": "dispatchpw", "xmpp_server": prosody.address,
            "xmpp_ca_file": prosody.ca_file, "retry_base": "1", "retry_max": "2"}


class XmppTestCase(DovecotTestCase):
    def setUp(self):
        # Prosody first: the dispatcher's settings name its port and CA.
        self.prosody = start_prosody(self)
        self.dispatch_settings = xmpp_settings(self.prosody)
        super().setUp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"),
                             self.dovecot.log())

    def tearDown(self):
        result = self._outcome.result
        if any(test is self for test, _ in result.failures + result.errors):
            print(f"\n---- Prosody log for {self.id()} ----\n{self.prosody.log()[-20000:]}"
                  "---- end of log ----")
        super().tearDown()

    def receiver(self):
        receiver = self.prosody.receiver("bob", "bobpw")
        self.addCleanup(receiver.close)
        return receiver

    def wait_sent(self, count=1, timeout=30):
        m = self.dovecot.wait_for_log(r"(?s)" + r"Info: sent \S+ over XMPP.*" * count, timeout=timeout)
        self.assertIsNotNone(m, "the dispatcher did not send over XMPP:\n" + self.dovecot.log())

    def check_notification(self, stanza, subject):
        """The stanza as a client sees it: normal message from the
        dispatcher's account, a body, and the xemn document in our element;
        returns the message and the xemn's attributes."""
        self.assertIsNotNone(stanza, "no message reached bob:\n" + self.dovecot.log())
        message = ET.fromstring(stanza)
        self.assertEqual(message.get("type"), "normal", stanza)
        self.assertTrue(message.get("from", "").startswith(f"lnotify@{DOMAIN}/"), stanza)
        self.assertEqual(body_of(message), "New mail in INBOX", stanza)
        payload = message.find(f"{{{NOTIFICATION_NS}}}notification")
        self.assertIsNotNone(payload, stanza)
        self.assertEqual(payload.get("type"), XEMN_TYPE)
        root, _ = libxml2_document(payload.text)
        self.assertEqual(root.tag, "xemn", payload.text)
        facts = dict(root.attrib)
        self.assertEqual((facts["event"], facts["mailbox"], facts["subject"]),
                         ("MessageNew", "mailat:alice@example.test", subject))
        return message, facts


class XmppDelivery(XmppTestCase):
    def test_online_recipient_gets_the_extended_payload(self):
        self.choose("XMPP=EXTENDED", BOB)
        bob = self.receiver()
        # an RFC 2047 subject arrives decoded
        self.dovecot.deliver_lmtp(message=sample_message(subject="=?UTF-8?Q?R=C3=A9union?= on Friday"))
        _, facts = self.check_notification(bob.next_message(), "Réunion on Friday")
        self.assertEqual(facts["view"], "INBOX")
        self.wait_sent()
        self.assertEqual(self.dovecot.sent_notifications()[-1]["channel"], "XMPP")

    def test_offline_recipient_gets_it_at_next_login(self):
        self.choose("XMPP=EXTENDED", BOB)
        self.dovecot.deliver_lmtp(message=sample_message(subject="while you were away"))
        # acknowledged by the server (stored offline) before bob logs in
        self.wait_sent()
        bob = self.receiver()
        message, _ = self.check_notification(bob.next_message(), "while you were away")
        # XEP-0203: Prosody marks what it stored with the time it arrived
        self.assertIsNotNone(message.find("{urn:xmpp:delay}delay"), ET.tostring(message))

    def test_wakeup_is_the_emn_document(self):
        # what the client reads first: the offer, and the sender to trust
        client = self.imap()
        typ, values, text = self.dovecot.get_metadata(
            client, "", [CHANNEL, "/private/notify/outband/credential"])
        self.assertEqual(typ, "OK", text)
        self.assertIn("XMPP=WAKEUP XMPP=EXTENDED", values[CHANNEL])
        self.assertTrue(values["/private/notify/outband/credential"].endswith(f" xmpp:lnotify@{DOMAIN}"),
                        values)
        self.choose("XMPP=WAKEUP", BOB)
        bob = self.receiver()
        self.dovecot.deliver_lmtp()
        stanza = bob.next_message()
        self.assertIsNotNone(stanza, self.dovecot.log())
        payload = ET.fromstring(stanza).find(f"{{{NOTIFICATION_NS}}}notification")
        self.assertEqual(payload.get("type"), EMN_TYPE)
        root, _ = libxml2_document(payload.text)
        self.assertIn(f'<!DOCTYPE emn PUBLIC "{EMN_PUBLIC_ID}"', payload.text)
        self.assertEqual(root.tag, "emn")
        self.assertEqual(sorted(root.attrib), ["mailbox", "timestamp"])
        self.assertEqual(root.get("mailbox"), "mailat:alice@example.test")
        self.assertEqual(list(root), [], "an EMN wake-up has no content")

    def test_unknown_account_is_a_permanent_failure(self):
        # Prosody bounces a message to an account it does not have
        # (service-unavailable, type cancel): dropped, never retried.
        self.choose("XMPP=WAKEUP", f"nobody@{DOMAIN}")
        self.dovecot.deliver_lmtp()
        m = self.dovecot.wait_for_log(r"Error: notification dropped \(.*\): the XMPP server returned "
                                      r"the message with error (\S+) \(type cancel\)", timeout=30)
        self.assertIsNotNone(m, self.dovecot.log())
        self.assertNotIn("deferred", self.dovecot.log())
        self.assertEqual(self.dovecot.sent_notifications(), [])


class XmppJsonChosen(XmppTestCase):
    """xmpp_payload = json: the explicit choice of lnotify's JSON binding."""

    def setUp(self):
        self.prosody = start_prosody(self)
        self.dispatch_settings = {**xmpp_settings(self.prosody), "xmpp_payload": "json"}
        DovecotTestCase.setUp(self)

    def test_extended_and_wakeup_are_json(self):
        bob = self.receiver()
        self.choose("XMPP=EXTENDED", BOB)
        self.dovecot.deliver_lmtp(message=sample_message(subject="as JSON"))
        payload = ET.fromstring(bob.next_message()).find(f"{{{NOTIFICATION_NS}}}notification")
        self.assertEqual(payload.get("type"), JSON_TYPE)
        facts = json.loads(payload.text)
        self.assertEqual((facts["event"], facts["subject"]), ("MessageNew", "as JSON"))
        self.choose("XMPP=WAKEUP", BOB)
        self.dovecot.deliver_lmtp()
        payload = ET.fromstring(bob.next_message()).find(f"{{{NOTIFICATION_NS}}}notification")
        self.assertEqual(payload.get("type"), JSON_TYPE)
        self.assertEqual(sorted(json.loads(payload.text)), ["mailbox", "timestamp"])


class XmppServerRestart(XmppTestCase):
    def test_dispatcher_reconnects_after_a_restart(self):
        self.choose("XMPP=EXTENDED", BOB)
        bob = self.receiver()
        self.dovecot.deliver_lmtp(message=sample_message(subject="before"))
        self.check_notification(bob.next_message(), "before")
        # acknowledged before the server goes (else it is, rightly, sent again)
        self.wait_sent()
        bob.close()
        self.prosody.stop()
        # sent while the server is down: deferred (temporary), not lost
        self.dovecot.deliver_lmtp(message=sample_message(subject="during"))
        m = self.dovecot.wait_for_log(r"Warning: notification deferred \(.*\): not connected to the "
                                      r"XMPP server", timeout=30)
        self.assertIsNotNone(m, self.dovecot.log())
        self.prosody.start()
        self.wait_sent(count=2, timeout=60)
        self.dovecot.deliver_lmtp(message=sample_message(subject="after"))
        self.wait_sent(count=3, timeout=30)
        bob = self.receiver()
        subjects = []
        for _ in range(2):
            stanza = bob.next_message()
            self.assertIsNotNone(stanza, self.dovecot.log())
            payload = ET.fromstring(stanza).find(f"{{{NOTIFICATION_NS}}}notification")
            subjects.append(libxml2_document(payload.text)[0].get("subject"))
        self.assertEqual(subjects, ["during", "after"])


class XmppLoginRefused(XmppTestCase):
    """What the operator sees when the dispatcher cannot get online: the
    notification is deferred (temporary), with the reason."""

    def setUp(self):
        self.prosody = start_prosody(self)
        self.dispatch_settings = xmpp_settings(self.prosody)
        self.dispatch_settings.update(self.overrides)
        DovecotTestCase.setUp(self)

    def deferred_reason(self):
        self.choose("XMPP=WAKEUP", BOB)
        self.dovecot.deliver_lmtp()
        m = self.dovecot.wait_for_log(r"Warning: notification deferred \(.*\): not connected to the "
                                      r"XMPP server: (.*); attempt 1 failed", timeout=40)
        self.assertIsNotNone(m, self.dovecot.log())
        self.assertEqual(self.dovecot.sent_notifications(), [])
        return m.group(1)


class XmppWrongPassword(XmppLoginRefused):
    overrides = {"xmpp_password": "wrong"}

    def test_deferred_with_the_reason(self):
        reason = self.deferred_reason()
        self.assertIn("account lnotify@localhost", reason)
        self.assertRegex(reason, r"(?i)auth", reason)


class XmppUntrustedCertificate(XmppLoginRefused):
    # the system's CAs only: the test CA's certificate must be refused
    overrides = {"xmpp_ca_file": "/etc/ssl/certs/ca-certificates.crt"}

    def test_certificate_is_verified(self):
        reason = self.deferred_reason()
        self.assertRegex(reason, r"(?i)tls|certificate|verif", reason)
        self.assertNotRegex(self.prosody.log(), r"Authenticated as lnotify@localhost")


class XmppSilentServer(DovecotTestCase):
    """A server that accepts the connection and never speaks: the
    notification is deferred, and the dispatcher gives the login up after
    30 s instead of waiting for ever."""

    def setUp(self):
        self.listener = socket.socket()
        self.addCleanup(self.listener.close)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.dispatch_settings = {
            "channels": "UDP XMPP", "xmpp_jid": f"lnotify@{DOMAIN}", "xmpp_password": "pw",
            "xmpp_server": f"127.0.0.1:{self.listener.getsockname()[1]}",
            "retry_base": "1", "retry_max": "2"}
        super().setUp()

    def test_stalled_login_is_given_up(self):
        self.choose("XMPP=WAKEUP", BOB)
        self.dovecot.deliver_lmtp()
        m = self.dovecot.wait_for_log(r"notification deferred \(.*\): not connected to the XMPP server: "
                                      r"connecting \(server 127\.0\.0\.1:\d+", timeout=30)
        self.assertIsNotNone(m, self.dovecot.log())
        m = self.dovecot.wait_for_log(r"not connected to the XMPP server: no login within 30 s", timeout=60)
        self.assertIsNotNone(m, self.dovecot.log())
        self.assertEqual(self.dovecot.sent_notifications(), [])


class SieveXmppMethod(test_sieve.SieveTestCase):
    """Issue 11: notify "xmpp:…" in a script reaches the JID."""

    def setUp(self):
        self.prosody = start_prosody(self)
        self.dispatch_settings = xmpp_settings(self.prosody)
        super().setUp()
        self.set_meta("INBOX", test_sieve.EVENT_FILTER, "NONE")

    def test_notify_xmpp_reaches_the_recipient(self):
        bob = self.prosody.receiver("bob", "bobpw")
        self.addCleanup(bob.close)
        self.upload_ok("xmpp", 'require "enotify";\n'
                               f'notify :message "mail from the boss" "xmpp:{BOB}";\n')
        self.dovecot.deliver_lmtp()
        stanza = bob.next_message()
        self.assertIsNotNone(stanza, self.dovecot.log())
        message = ET.fromstring(stanza)
        self.assertEqual(body_of(message), "mail from the boss", stanza)
        payload = message.find(f"{{{NOTIFICATION_NS}}}notification")
        self.assertIsNotNone(payload, stanza)
        root, _ = libxml2_document(payload.text)
        # alice chose no channel: the method sends a wake-up, the EMN
        # document with just the mailbox and the time
        self.assertEqual(root.tag, "emn")
        self.assertEqual(root.get("mailbox"), "mailat:alice@example.test")
        self.assertIsNone(bob.next_message(timeout=3), "sent once")


if __name__ == "__main__":
    unittest.main()

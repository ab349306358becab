"""Issue 11: Sieve notification filters. The sieve_lnotify Pigeonhole plugin
adds the notify methods lnotify:, sms:, sip: and xmpp:; a script uploaded
with a real ManageSieve client (sieve-connect) decides at delivery, and an
IMAPSIEVE rule on flag changes, what is notified, through lnotify's spool
and dispatcher."""

import glob
import os
import smtplib
import subprocess
import time
import unittest
import xml.dom.minidom

from lnotify_harness import (ADDRESS, CHANNEL, MAIL_GID, MAIL_UID, DovecotTestCase,
                             sample_message)

EVENT_FILTER = "/private/notify/event/filter"

# Pigeonhole at delivery and in IMAP, ManageSieve on a free port. The
# automatic notifications of the mail plugin are switched off per test
# with the event filter NONE where only the script's may arrive.
SIEVE_CONF = """
protocols = imap lmtp sieve
service managesieve-login {
  inet_listener sieve {
    address = 127.0.0.1
    port = @SIEVE_PORT@
  }
}
protocol lmtp {
  mail_plugins = $mail_plugins sieve
}
protocol lda {
  mail_plugins = $mail_plugins sieve
}
protocol imap {
  mail_plugins = $mail_plugins imap_sieve
}
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
  sieve_plugin_dir = @SIEVE_PLUGIN_DIR@
  sieve_plugins = sieve_imapsieve sieve_lnotify
  sieve_extensions = +enotify +imapsieve
}
"""


def sieve_connect(dovecot, user, *args):
    """Runs Debian's sieve-connect against the instance's ManageSieve port,
    the password on a pipe (--passwordfd), as a user would script it."""
    read_end, write_end = os.pipe()
    os.write(write_end, f"{user}pw\n".encode())
    os.close(write_end)
    try:
        return subprocess.run(
            ["sieve-connect", "--server", "127.0.0.1", "--port", str(dovecot.sieve_port),
             "--user", user, "--passwordfd", str(read_end), "--authmech", "PLAIN",
             "--clearchan", "--notlsverify", *args],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
            pass_fds=(read_end,))
    finally:
        os.close(read_end)


class SieveTestCase(DovecotTestCase):
    extra_conf = SIEVE_CONF

    def setUp(self):
        super().setUp()
        if self.with_dispatcher:
            self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))

    def set_meta(self, mailbox, entry, value, user="alice"):
        client = self.imap(user)
        typ, data = self.dovecot.set_metadata(client, mailbox, entry, value)
        self.assertEqual(typ, "OK", data)
        client.logout()

    def upload(self, name, script, user="alice", activate=True):
        """PUTSCRIPT (and SETACTIVE) with sieve-connect; returns its result."""
        path = os.path.join(self.dovecot.root, f"{name}.sieve")
        with open(path, "w") as f:
            f.write(script)
        result = sieve_connect(self.dovecot, user, "--localsieve", path, "--remotesieve", name,
                               "--upload")
        if result.returncode == 0 and activate:
            activated = sieve_connect(self.dovecot, user, "--remotesieve", name, "--activate")
            self.assertEqual(activated.returncode, 0, activated.stderr + activated.stdout)
        return result

    def upload_ok(self, name, script, user="alice"):
        result = self.upload(name, script, user)
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)

    def xemn(self, timeout=10):
        datagram = self.sink.receive(timeout=timeout)
        self.assertIsNotNone(datagram, "no notification arrived:\n" + self.dovecot.log())
        root = xml.dom.minidom.parseString(datagram).documentElement
        self.assertEqual(root.tagName, "xemn", datagram)
        return root

    def spool_records(self):
        """The requests waiting in incoming/ (no dispatcher), parsed; the
        reactions that IMAP logins and SELECTs queue are left out."""
        records = []
        for path in sorted(glob.glob(os.path.join(self.dovecot.spool, "incoming", "*"))):
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
            if lines[0] == "lnotify-reaction 1":
                continue
            self.assertEqual(lines[0], "lnotify-request 1")
            fields = dict(line.split("\t", 1) for line in lines[1:] if "\t" in line)
            records.append(fields)
        return records


class ScriptFromManageSieve(SieveTestCase):
    """alice's device listens on UDP; only her script notifies."""

    def setUp(self):
        super().setUp()
        self.set_meta("INBOX", CHANNEL, "UDP=EXTENDED")
        self.set_meta("INBOX", ADDRESS, self.sink.address)
        self.set_meta("INBOX", EVENT_FILTER, "NONE")

    def test_lnotify_method_notifies_the_chosen_channel_once(self):
        self.upload_ok("notify", """require ["enotify", "variables"];
if header :matches "Subject" "*" { set "subject" "${1}"; }
if address :is "from" "boss@example.org" {
  notify :importance "1" :message "Boss: ${subject}" "lnotify:";
  # the same method and URI again: RFC 5435 sends one notification
  notify :message "again" "lnotify:";
}
keep;
""")
        self.dovecot.deliver_lmtp(message=sample_message(subject="quarterly numbers",
                                                         sender="boss@example.org"))
        xemn = self.xemn()
        self.assertEqual(xemn.getAttribute("event"), "MessageNew")
        self.assertEqual(xemn.firstChild.data, "Boss: quarterly numbers", "the :message is the text")
        self.assertEqual(xemn.getAttribute("subject"), "quarterly numbers")
        self.assertIn("boss@example.org", xemn.getAttribute("sender"))
        self.assertTrue(xemn.getAttribute("datetime"))
        self.assertEqual(xemn.getAttribute("mailbox"), "mailat:alice@example.test")
        self.assertIsNone(self.sink.receive(timeout=3), "a second notification arrived")
        sent = [n for n in self.dovecot.sent_notifications() if n["user"].startswith("alice")]
        self.assertEqual(len(sent), 1, sent)
        self.assertEqual((sent[0]["channel"], sent[0]["address"], sent[0]["event"]),
                         ("UDP", self.sink.address, "MessageNew"))
        self.assertRegex(self.dovecot.log(), r"lmtp\(alice[^)]*\).*sieve: .*notify action: queued lnotify "
                                             r"notification \(MessageNew\) over UDP to 127\.0\.0\.1:")
        self.assertEqual(self.message_count(), 1, "the message was still delivered")

    def test_script_decides(self):
        self.upload_ok("notify", """require ["enotify"];
if address :is "from" "boss@example.org" { notify "lnotify:"; }
""")
        self.dovecot.deliver_lmtp(message=sample_message(sender="newsletter@example.org"))
        self.dovecot.deliver_lmtp(message=sample_message(subject="from the boss", sender="boss@example.org"))
        xemn = self.xemn()
        self.assertEqual(xemn.getAttribute("subject"), "from the boss")
        self.assertIsNone(self.sink.receive(timeout=3))
        self.assertEqual(self.message_count(), 2)

    def test_dovecot_lda_too(self):
        self.upload_ok("notify", 'require "enotify";\nnotify :message "via LDA" "lnotify:";\n')
        result = self.dovecot.deliver_lda()
        self.assertEqual(result.returncode, 0, result.stderr)
        xemn = self.xemn()
        self.assertEqual((xemn.getAttribute("event"), xemn.firstChild.data), ("MessageNew", "via LDA"))

    def test_malformed_uri_is_refused_by_putscript(self):
        result = self.upload("bad", 'require "enotify";\nnotify "sms:5551234567";\n', activate=False)
        self.assertNotEqual(result.returncode, 0, result.stdout)
        output = result.stdout + result.stderr
        self.assertIn("invalid sms: URI 'sms:5551234567'", output)
        self.assertIn("not a global number", output)
        listing = sieve_connect(self.dovecot, "alice", "--list")
        self.assertEqual(listing.returncode, 0, listing.stderr)
        self.assertNotIn("bad", listing.stdout.split(), "the refused script was not stored")

    def test_each_method_refuses_what_it_cannot_send(self):
        for uri, reason in (("lnotify:+15551234567", "nothing may follow 'lnotify:'"),
                            ("sip:bob", "invalid SIP address"),
                            ("sip:bob@example.org?subject=x", "headers (?...) cannot be used"),
                            ("xmpp:bob@example.org?subscribe", "query type 'subscribe'"),
                            ("sms:+15551234567?body=two words", "must be percent-encoded")):
            result = self.upload("bad", f'require "enotify";\nnotify "{uri}";\n', activate=False)
            self.assertNotEqual(result.returncode, 0, uri)
            self.assertIn(reason, result.stdout + result.stderr, uri)


class MethodTests(SieveTestCase):
    """valid_notify_method and notify_method_capability, as the script sees
    them: each outcome sets a keyword, read back over IMAP."""

    def test_valid_notify_method_and_capability(self):
        self.upload_ok("tests", """require ["enotify", "imap4flags"];
if valid_notify_method "lnotify:" { addflag "$lnotify_valid"; }
if valid_notify_method "lnotify:x" { addflag "$lnotify_x_valid"; }
if valid_notify_method "sms:+1-555-123-4567?body=hi" { addflag "$sms_valid"; }
if valid_notify_method "sms:5551234567" { addflag "$sms_local_valid"; }
if valid_notify_method "sip:bob@example.org;transport=udp" { addflag "$sip_valid"; }
if valid_notify_method "sip:bob" { addflag "$sip_user_missing_valid"; }
if valid_notify_method "xmpp:bob@example.org/phone" { addflag "$xmpp_valid"; }
if valid_notify_method "xmpp:bob" { addflag "$xmpp_domain_missing_valid"; }
if valid_notify_method "fax:+15551234567" { addflag "$fax_valid"; }
if valid_notify_method ["lnotify:", "sms:+15551234567"] { addflag "$list_valid"; }
if notify_method_capability "lnotify:" "Online" "maybe" { addflag "$lnotify_online_maybe"; }
if notify_method_capability "sms:+15551234567" "online" ["yes", "no"] { addflag "$sms_online_yes_or_no"; }
if notify_method_capability "sip:bob@example.org" "online" "maybe" { addflag "$sip_online_maybe"; }
if notify_method_capability "xmpp:bob@example.org" "online" "maybe" { addflag "$xmpp_online_maybe"; }
if notify_method_capability "sip:bob" "online" "maybe" { addflag "$bad_uri_online_maybe"; }
if notify_method_capability "lnotify:" "colour" "maybe" { addflag "$unknown_capability"; }
keep;
""")
        self.dovecot.deliver_lmtp()
        client = self.imap()
        client.select("INBOX", readonly=True)
        typ, data = client.fetch("1", "(FLAGS)")
        self.assertEqual(typ, "OK", data)
        flags = set(data[0].decode().split("FLAGS (", 1)[1].split(")", 1)[0].split())
        flags.discard("\\Recent")
        self.assertEqual(flags, {"$lnotify_valid", "$sms_valid", "$sip_valid", "$xmpp_valid",
                                 "$list_valid", "$lnotify_online_maybe", "$sip_online_maybe",
                                 "$xmpp_online_maybe"})


class ImapSieveFlagRule(SieveTestCase):
    """An IMAPSIEVE rule (RFC 6785) on FLAG that notifies the user's device
    (set-up only; the tests follow)."""

    extra_conf = SIEVE_CONF + """
plugin {
  imapsieve_mailbox1_name = INBOX
  imapsieve_mailbox1_causes = FLAG
  imapsieve_mailbox1_before = file:@ROOT@/imapsieve/flagged.sieve
}
"""

    def setUp(self):
        super().setUp()
        rules = os.path.join(self.dovecot.root, "imapsieve")
        os.makedirs(rules)
        with open(os.path.join(rules, "flagged.sieve"), "w") as f:
            f.write("""require ["enotify", "environment", "imapsieve", "variables"];
if environment :is "imap.changedflags" "\\\\Flagged" {
  if environment :matches "imap.mailbox" "*" { set "mailbox" "${1}"; }
  notify :importance "1" :message "flag changed in ${mailbox}" "lnotify:";
}
""")
        # Pigeonhole compiles the rule as the mail user and keeps the binary
        os.chown(rules, MAIL_UID, MAIL_GID)
        self.set_meta("INBOX", CHANNEL, "UDP=EXTENDED")
        self.set_meta("INBOX", ADDRESS, self.sink.address)
        self.set_meta("INBOX", EVENT_FILTER, "NONE")


class ImapSieveFlag(ImapSieveFlagRule):
    """Setting \\Flagged with STORE notifies the user's device. The storing
    session has INBOX selected, which keeps a notification about INBOX
    inband (draft §6, ImapSievePresence); here presence is ignored."""

    plugin_settings = {"lnotify_presence_inband_only": "no"}

    def test_store_flagged_notifies(self):
        self.dovecot.deliver_lmtp(message=sample_message(subject="to be flagged"))
        self.dovecot.deliver_lmtp(message=sample_message(subject="second"))
        self.assertIsNone(self.sink.receive(timeout=2), "deliveries notify nothing here")
        client = self.imap()
        client.select("INBOX")
        typ, data = client.uid("STORE", "1", "+FLAGS", "(\\Flagged)")
        self.assertEqual(typ, "OK", data)
        xemn = self.xemn()
        self.assertEqual(xemn.getAttribute("event"), "FlagsSet")
        self.assertEqual(xemn.getAttribute("uid"), "1")
        self.assertEqual(xemn.getAttribute("view"), "INBOX")
        self.assertEqual(xemn.getAttribute("subject"), "to be flagged")
        self.assertEqual(xemn.firstChild.data, "flag changed in INBOX")

        # \Seen does not match the rule; clearing \Flagged does
        typ, data = client.uid("STORE", "2", "+FLAGS", "(\\Seen)")
        self.assertEqual(typ, "OK", data)
        typ, data = client.uid("STORE", "1", "-FLAGS", "(\\Flagged)")
        self.assertEqual(typ, "OK", data)
        xemn = self.xemn()
        self.assertEqual((xemn.getAttribute("event"), xemn.getAttribute("uid")), ("FlagsClear", "1"))
        self.assertIsNone(self.sink.receive(timeout=2))
        events = [(n["event"], n["uid"]) for n in self.dovecot.sent_notifications() if n["user"].startswith("alice")]
        self.assertEqual(events, [("FlagsSet", "1"), ("FlagsClear", "1")])


class ImapSievePresence(ImapSieveFlagRule):
    """The same rule with presence applied (the default): the session that
    stores the flag has INBOX selected, so the script's notification about
    INBOX stays inband."""

    def test_selected_mailbox_keeps_it_inband(self):
        self.dovecot.deliver_lmtp(message=sample_message(subject="to be flagged"))
        client = self.imap()
        client.select("INBOX")
        typ, data = client.uid("STORE", "1", "+FLAGS", "(\\Flagged)")
        self.assertEqual(typ, "OK", data)
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"not notifying UDP 127\.0\.0\.1:\d+: a client has INBOX selected \(inband only\)"),
            self.dovecot.log())
        self.assertIsNone(self.sink.receive(timeout=2))
        self.assertEqual([n for n in self.dovecot.sent_notifications() if n["user"].startswith("alice")], [])


class ImapSieveAppendCopy(SieveTestCase):
    """IMAPSIEVE on APPEND and COPY (and MOVE) into Archive: each is a
    MessageAppend of the message's new UID there."""

    extra_conf = SIEVE_CONF + """
plugin {
  imapsieve_mailbox1_name = Archive
  imapsieve_mailbox1_causes = APPEND COPY
  imapsieve_mailbox1_before = file:@ROOT@/imapsieve/archived.sieve
}
"""

    def setUp(self):
        super().setUp()
        rules = os.path.join(self.dovecot.root, "imapsieve")
        os.makedirs(rules)
        with open(os.path.join(rules, "archived.sieve"), "w") as f:
            f.write("""require ["enotify", "environment", "imapsieve", "variables"];
if environment :matches "imap.cause" "*" { set "cause" "${1}"; }
notify :message "${cause}" "lnotify:";
""")
        os.chown(rules, MAIL_UID, MAIL_GID)
        self.set_meta("INBOX", CHANNEL, "UDP=EXTENDED")
        self.set_meta("INBOX", ADDRESS, self.sink.address)
        self.set_meta("INBOX", EVENT_FILTER, "NONE")

    def test_append_copy_and_move(self):
        for _ in range(2):
            self.dovecot.deliver_lmtp()
        client = self.imap()
        self.assertEqual(client.create("Archive")[0], "OK")
        typ, data = client.append("Archive", None, None, sample_message(subject="appended").encode())
        self.assertEqual(typ, "OK", data)
        client.select("INBOX")
        self.assertEqual(client.uid("COPY", "1", "Archive")[0], "OK")
        self.assertEqual(client.uid("MOVE", "2", "Archive")[0], "OK")
        got = []
        for _ in range(3):
            xemn = self.xemn()
            got.append((xemn.getAttribute("event"), xemn.getAttribute("view"), xemn.getAttribute("uid"),
                        xemn.firstChild.data))
        self.assertEqual(got, [("MessageAppend", "Archive", "1", "APPEND"),
                               ("MessageAppend", "Archive", "2", "COPY"),
                               ("MessageAppend", "Archive", "3", "COPY")])
        self.assertIsNone(self.sink.receive(timeout=2))


class OtherChannelsQueued(SieveTestCase):
    """sip:, sms: and xmpp: queue requests for channels the dispatcher has
    no driver for yet (issue 7): the requests themselves are checked in the
    spool, with no dispatcher running to take them. alice's device comes
    from the default settings (UDP=EXTENDED); bob has none."""

    with_dispatcher = False
    # message_count() keeps an IMAP session open; with presence applied to
    # Sieve notifications it would keep the next delivery's inband.
    plugin_settings = {"lnotify_sieve_max_notifications": "4",
                       "lnotify_presence_inband_only": "no",
                       "lnotify_default_channel": "UDP=EXTENDED",
                       "lnotify_default_address": "127.0.0.1:9"}
    user_fields = {"bob": "userdb_lnotify_default_channel=NONE"}

    def setUp(self):
        super().setUp()
        self.set_meta("INBOX", EVENT_FILTER, "NONE")

    def test_requests_carry_channel_address_and_message(self):
        self.upload_ok("channels", """require ["enotify"];
notify :importance "1" :message "call me" "sip:bob@example.org";
notify "sip:bob@example.org";
notify "sms:+1-555-123-4567?body=new%20mail";
notify :importance "3" "xmpp:bob@example.org/phone";
""")
        self.dovecot.deliver_lmtp(message=sample_message(subject="numbers"))
        records = self.spool_records()
        self.assertEqual(len(records), 3, records)
        by_channel = {r["channel"]: r for r in records}
        sip, sms, xmpp = by_channel["SIP"], by_channel["SMS"], by_channel["XMPP"]
        self.assertEqual((sip["address"], sip["message"], sip["importance"]),
                         ("sip:bob@example.org", "call me", "1"))
        self.assertEqual((sms["address"], sms["message"], sms["importance"]),
                         ("+15551234567", "new mail", "2"))
        self.assertEqual((xmpp["address"], xmpp["importance"]), ("bob@example.org/phone", "3"))
        self.assertNotIn("message", xmpp)
        for r in records:
            self.assertEqual((r["user"], r["mailbox"], r["event"], r["uid"]),
                             ("alice@example.test", "INBOX", "MessageNew", "0"))
            # the user's format (EXTENDED) with the message's facts
            self.assertEqual((r["format"], r["subject"]), ("EXTENDED", "numbers"))
            # no device keys travel to another destination
            self.assertNotIn("p256dh", r)

    def test_lnotify_method_uses_the_default_channel(self):
        self.upload_ok("mine", 'require "enotify";\nnotify :message "to my phone" "lnotify:";\n')
        self.dovecot.deliver_lmtp()
        records = self.spool_records()
        self.assertEqual([(r["channel"], r["address"], r["format"], r["message"]) for r in records],
                         [("UDP", "127.0.0.1:9", "EXTENDED", "to my phone")])

    def test_format_is_wakeup_without_a_chosen_channel(self):
        self.upload_ok("sip", 'require "enotify";\nnotify "sip:alice@example.org";\nnotify "lnotify:";\n',
                       user="bob")
        self.dovecot.deliver_lmtp("bob@example.test", message=sample_message(subject="secret"))
        records = self.spool_records()
        self.assertEqual(len(records), 1, records)
        self.assertEqual((records[0]["channel"], records[0]["format"]), ("SIP", "WAKEUP"))
        self.assertNotIn("subject", records[0], "a wake-up carries no facts")
        self.assertRegex(self.dovecot.log(), r"lmtp\(bob[^)]*\).*lnotify: nothing to notify: no outband "
                                             r"channel chosen")

    def test_spool_failure_is_temporary(self):
        self.upload_ok("sip", 'require "enotify";\nnotify "sip:bob@example.org";\n')
        tmp = os.path.join(self.dovecot.spool, "tmp")
        os.chmod(tmp, 0o700)  # the mail user can no longer write requests
        with self.assertRaises(smtplib.SMTPDataError) as refused:
            self.dovecot.deliver_lmtp()
        self.assertEqual(refused.exception.smtp_code, 451, refused.exception)
        self.assertRegex(self.dovecot.log(), r"Error: sieve: .*notify action: cannot queue the notification "
                                             r"to SIP sip:bob@example.org for now: open\(.*Permission denied")
        self.assertEqual(self.message_count(), 0, "nothing stored: the retry will not duplicate it")
        os.chmod(tmp, 0o3733)
        self.dovecot.deliver_lmtp()  # the MTA's retry
        self.assertEqual([(r["channel"], r["address"]) for r in self.spool_records()],
                         [("SIP", "sip:bob@example.org")])
        self.assertEqual(self.message_count(), 1)

    def test_runaway_script_is_capped(self):
        numbers = [f"sms:+1555000000{i}" for i in range(7)]
        self.upload_ok("runaway", 'require "enotify";\n' +
                       "".join(f'notify "{n}";\n' for n in numbers))
        self.dovecot.deliver_lmtp()
        records = self.spool_records()
        self.assertEqual(sorted(r["address"] for r in records), [f"+1555000000{i}" for i in range(4)])
        self.assertEqual(len(self.dovecot.log().split("lnotify_sieve_max_notifications allows")) - 1, 3,
                         self.dovecot.log())
        self.assertEqual(self.message_count(), 1, "the cap never costs the delivery")


class OtherChannelsDispatched(SieveTestCase):
    def test_dispatcher_takes_sip_request_for_a_channel_it_lacks(self):
        self.upload_ok("sip", 'require "enotify";\nnotify :message "hello" "sip:bob@example.org";\n')
        self.dovecot.deliver_lmtp()
        m = self.dovecot.wait_for_log(r"lnotify-dispatch: Error: notification dropped \(user=alice@example.test "
                                      r"mailbox=INBOX uid=0 event=MessageNew\): channel SIP is not enabled")
        self.assertIsNotNone(m, self.dovecot.log())
        self.assertEqual(self.dovecot.spool_entries("incoming") + self.dovecot.spool_entries("active"), [])


class SipNotifyReachesSipp(SieveTestCase):
    """Issue 11: notify "sip:..." reaches a real SIP UAS (sipp) through the
    dispatcher's SIP channel (issue 7), as an EMN wake-up in a MESSAGE."""

    dispatch_settings = {"channels": "UDP SIP", "sip_t1_ms": "100"}

    def test_sip_method_reaches_sipp(self):
        from sipp_peer import SippUas, uas_scenario
        peer = SippUas(uas_scenario(body_regexp=r'<emn [^>]*mailbox="[^"]+"'))
        self.addCleanup(peer.cleanup)
        self.set_meta("INBOX", EVENT_FILTER, "NONE")  # only the script's notification
        address = f"sip:alice@{peer.uri_host}"
        self.upload_ok("sip", f'require "enotify";\nnotify :message "hello" "{address}";\n')
        self.dovecot.deliver_lmtp()
        self.assertEqual(peer.wait(20), 0, peer.output() + self.dovecot.log())
        received = peer.received()
        self.assertEqual(len(received), 1, received)
        self.assertEqual(received[0][0], f"MESSAGE {address} SIP/2.0")
        self.assertEqual(received[0][1]["content-type"], "text/vnd.wap.emn+xml")
        self.assertIsNotNone(self.dovecot.wait_for_log(rf"sent WAKEUP over SIP to {address} "), self.dovecot.log())


if __name__ == "__main__":
    unittest.main()

"""Issue 3: METADATA provisioning and preferences (draft §11) over real IMAP,
doveadm and delivery."""

import grp
import os
import shutil
import socket
import subprocess
import unittest

from lnotify_harness import ADDRESS, CHANNEL, DovecotTestCase, UdpSink

# (entry, a valid value, [(an invalid value, part of the error text)])
PREFERENCES = [
    (CHANNEL, "UDP=WAKEUP", [("FAX=WAKEUP", 'unknown channel "FAX"'),
                             ("UDP=SOON", 'unknown format "SOON"'),
                             ("SMS=WAKEUP", "not offered by this server (it offers: NONE UDP=WAKEUP UDP=EXTENDED)"),
                             ("UDP=WAKEUP SMS=WAKEUP", "unknown format")]),
    (ADDRESS, "127.0.0.1:2948", [("+15551234567", "invalid UDP address"),
                                  ("127.0.0.1:99999", "the port must be a number from 1 to 65535")]),
    ("/private/notify/outband/limit", "size=1024 total=50", [("size=0", "size=N and/or total=N"),
                                                              ("size=10 size=20", "not a limit")]),
    ("/private/notify/outband/filter", "important", [("not one", "is not a filter name")]),
    ("/private/notify/view", "work family", [("work,family", "not a list of filter names")]),
    ("/private/notify/inband/msgformat", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])",
     [("(UID FLAGS", "invalid fetch-att list"), ("(UID SUBJECT)", 'unknown fetch-att "SUBJECT"')]),
    ("/private/notify/inband/push", "pull", [("poll", "neither push nor pull")]),
    ("/private/notify/event/filter", "NEW", [("SOME", "ALL, NEW or NONE")]),
]


class Preferences(DovecotTestCase):
    def setUp(self):
        super().setUp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        self.client = self.imap()

    def get(self, mailbox, entry):
        typ, values, text = self.dovecot.get_metadata(self.client, mailbox, entry)
        self.assertEqual(typ, "OK", text)
        return values.get(entry)

    def test_each_entry_is_set_read_back_and_refuses_bad_values(self):
        for entry, good, bad_values in PREFERENCES:
            with self.subTest(entry=entry):
                typ, data = self.dovecot.set_metadata(self.client, "INBOX", entry, good)
                self.assertEqual(typ, "OK", data)
                self.assertEqual(self.get("INBOX", entry), good)
                for bad, message in bad_values:
                    typ, data = self.dovecot.set_metadata(self.client, "INBOX", entry, bad)
                    self.assertEqual(typ, "NO", f"{entry} = {bad!r} was accepted")
                    text = data[0].decode()
                    self.assertIn(entry, text)
                    self.assertIn(message, text)
                    self.assertEqual(self.get("INBOX", entry), good, "the stored value stays unchanged")

    def test_removal_is_allowed(self):
        self.dovecot.set_metadata(self.client, "INBOX", "/private/notify/inband/push", "push")
        typ, data = self.dovecot.set_metadata(self.client, "INBOX", "/private/notify/inband/push", None)
        self.assertEqual(typ, "OK", data)
        self.assertIsNone(self.get("INBOX", "/private/notify/inband/push"))

    def test_channel_and_address_in_one_command(self):
        # the address is checked against the channel set just before it
        typ, data = self.client._simple_command(
            "SETMETADATA", "INBOX", f'({CHANNEL} "UDP=EXTENDED" {ADDRESS} "[::1]:2948")')
        self.assertEqual(typ, "OK", data)

    def test_unknown_entry_under_notify_is_refused(self):
        typ, data = self.dovecot.set_metadata(self.client, "INBOX", "/private/notify/outband/colour", "blue")
        self.assertEqual(typ, "NO")
        self.assertIn("not an lnotify entry on a mailbox; writable entries there:", data[0].decode())

    def test_other_entries_are_left_alone(self):
        typ, data = self.dovecot.set_metadata(self.client, "INBOX", "/private/comment", "anything at all")
        self.assertEqual(typ, "OK", data)

    def test_provision_entries_are_served_and_read_only(self):
        typ, values, text = self.dovecot.get_metadata(self.client, "", [
            CHANNEL, "/private/notify/outband/credential", "/shared/notify/inband/push"])
        self.assertEqual(typ, "OK", text)
        self.assertEqual(values[CHANNEL], "NONE UDP=WAKEUP UDP=EXTENDED")
        self.assertTrue(values["/private/notify/outband/credential"])
        typ, security, text = self.dovecot.get_metadata(self.client, "", "/private/notify/security/algorithms")
        self.assertEqual(security.get("/private/notify/security/algorithms"), "aes128gcm")
        self.assertEqual(values["/shared/notify/inband/push"].split(),
                         ["MessageNew", "MessageAppend", "MessageExpunge", "MessageExpire",
                          "MessageRead", "MessageTrash", "FlagsSet", "FlagsClear"])
        for entry in (CHANNEL, "/private/notify/outband/credential", "/shared/notify/inband/push",
                      "/private/notify/security/algorithms"):
            with self.subTest(entry=entry):
                typ, data = self.dovecot.set_metadata(self.client, "", entry, "NONE")
                self.assertEqual(typ, "NO")
                self.assertIn(f"{entry} is provided by the server and cannot be changed", data[0].decode())
        typ, values, text = self.dovecot.get_metadata(self.client, "", CHANNEL)
        self.assertEqual(values[CHANNEL], "NONE UDP=WAKEUP UDP=EXTENDED")

    def test_depth_infinity_lists_provision_and_device_entries(self):
        typ, data = self.dovecot.set_metadata(self.client, "", "/private/notify/security/auth",
                                              "BTBZMqHH6r4Tts7J_aSIgg")
        self.assertEqual(typ, "OK", data)
        typ, values, text = self.dovecot.get_metadata(self.client, "", "/private/notify", depth="infinity")
        self.assertEqual(typ, "OK", text)
        self.assertEqual(values.get(CHANNEL), "NONE UDP=WAKEUP UDP=EXTENDED")
        self.assertIn("/private/notify/outband/credential", values)
        self.assertEqual(values.get("/private/notify/security/auth"), "BTBZMqHH6r4Tts7J_aSIgg")

    def test_device_keys(self):
        p256dh = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
        typ, data = self.dovecot.set_metadata(self.client, "", "/private/notify/security/p256dh", p256dh)
        self.assertEqual(typ, "OK", data)
        typ, data = self.dovecot.set_metadata(self.client, "", "/private/notify/security/p256dh", "AAAA")
        self.assertEqual(typ, "NO")
        self.assertIn("not a 65-byte uncompressed point", data[0].decode())
        self.assertEqual(self.get("", "/private/notify/security/p256dh"), p256dh)

    def test_filters_are_checked_by_dovecots_search_parser(self):
        typ, data = self.dovecot.set_metadata(self.client, "", "/private/filters/values/boss",
                                              "OR FROM boss@example.org SUBJECT urgent")
        self.assertEqual(typ, "OK", data)
        for bad, message in (("FROM", "Missing parameter for search key"),
                             ("NOSUCHKEY x", "Unknown argument NOSUCHKEY"),
                             ("(FROM x", "not a valid IMAP SEARCH program")):
            with self.subTest(program=bad):
                typ, data = self.dovecot.set_metadata(self.client, "", "/private/filters/values/boss", bad)
                self.assertEqual(typ, "NO")
                self.assertIn("/private/filters/values/boss: not a valid IMAP SEARCH program", data[0].decode())
                self.assertIn(message, data[0].decode())
        self.assertEqual(self.get("", "/private/filters/values/boss"), "OR FROM boss@example.org SUBJECT urgent")

    def test_value_size_cap_answers_maxsize(self):
        typ, data = self.dovecot.set_metadata(self.client, "INBOX", "/private/notify/view", "v" * 3000)
        self.assertEqual(typ, "NO")
        self.assertTrue(data[0].decode().startswith("[METADATA MAXSIZE 2048]"), data)

    def test_users_are_separate(self):
        self.dovecot.set_metadata(self.client, "INBOX", "/private/notify/inband/push", "push")
        bob = self.imap("bob")
        typ, values, _ = self.dovecot.get_metadata(bob, "INBOX", "/private/notify/inband/push")
        self.assertIsNone(values.get("/private/notify/inband/push"), "bob sees his own (unset) entry")
        # alice's mailboxes are not in bob's namespace at all
        typ, data = self.dovecot.set_metadata(bob, "INBOX", "/private/notify/inband/push", "pull")
        self.assertEqual(typ, "OK", data)
        self.assertEqual(self.get("INBOX", "/private/notify/inband/push"), "push")

    def test_doveadm_is_validated_too(self):
        result = subprocess.run(
            ["doveadm", "-c", self.dovecot.conf, "mailbox", "metadata", "set", "-u", "alice",
             "INBOX", "/private/notify/event/filter", "SOMETIMES"],
            capture_output=True, text=True)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("/private/notify/event/filter", result.stderr)
        self.assertIn("ALL, NEW or NONE", result.stderr)
        result = subprocess.run(
            ["doveadm", "-c", self.dovecot.conf, "mailbox", "metadata", "set", "-u", "alice",
             "INBOX", "/private/notify/event/filter", "ALL"], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.get("INBOX", "/private/notify/event/filter"), "ALL")


class DestinationAllowList(DovecotTestCase):
    """allowed_destinations (the harness allows 127.0.0.1 and ::1 only)."""

    def test_outside_destination_is_refused_and_never_contacted(self):
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        outside = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(outside.close)
        outside.bind(("127.0.0.2", 0))
        outside.settimeout(3)
        address = f"127.0.0.2:{outside.getsockname()[1]}"
        client = self.imap()
        self.dovecot.set_metadata(client, "INBOX", CHANNEL, "UDP=WAKEUP")
        typ, data = self.dovecot.set_metadata(client, "INBOX", ADDRESS, address)
        self.assertEqual(typ, "NO")
        self.assertIn('"127.0.0.2" is not an allowed destination on this server (allowed: 127.0.0.1 ::1)',
                      data[0].decode())
        # stored behind Dovecot's back: the dispatcher refuses it too
        self.dovecot.set_metadata(client, "INBOX", ADDRESS, self.sink.address)
        self.dovecot.edit_attribute_dict("alice", "notify/outband/address", address)
        self.assertEqual(self.dovecot.deliver_lmtp(), {})
        self.assertIsNotNone(self.dovecot.wait_for_log(
            r"lnotify-dispatch: Error: notification dropped \(user=alice@example.test .*127\.0\.0\.2 is not "
            r"an allowed destination"))
        with self.assertRaises(socket.timeout):
            outside.recvfrom(100)


class EntryCountCap(DovecotTestCase):
    plugin_settings = {"lnotify_metadata_max_entries": "3"}

    def test_too_many_answers_toomany(self):
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        client = self.imap()
        for name in ("a", "b", "c"):
            typ, data = self.dovecot.set_metadata(client, "", f"/private/filters/values/{name}", "ALL")
            self.assertEqual(typ, "OK", data)
        typ, data = self.dovecot.set_metadata(client, "INBOX", "/private/notify/inband/push", "push")
        self.assertEqual(typ, "NO")
        self.assertTrue(data[0].decode().startswith("[METADATA TOOMANY]"), data)
        # replacing an existing entry is not adding one
        typ, data = self.dovecot.set_metadata(client, "", "/private/filters/values/a", "UNSEEN")
        self.assertEqual(typ, "OK", data)


class DeliveryUsesCurrentPreferences(DovecotTestCase):
    def test_change_over_imap_is_seen_by_next_delivery(self):
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        second = UdpSink()
        self.addCleanup(second.close)
        self.choose("UDP=WAKEUP", self.sink.address)
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.sink.receive(timeout=10))
        self.choose("UDP=WAKEUP", second.address)
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(second.receive(timeout=10), "the new address was not used")
        self.assertIsNone(self.sink.receive(timeout=0.5), "the old address was used")
        self.choose("NONE")
        self.dovecot.deliver_lmtp()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"No outband channel chosen for mailbox INBOX"))


class Defaults(DovecotTestCase):
    """Precedence: the mailbox's entry, then the userdb field, then the
    global plugin setting."""

    def setUp(self):
        self.global_sink, self.userdb_sink, self.mailbox_sink = UdpSink(), UdpSink(), UdpSink()
        for sink in (self.global_sink, self.userdb_sink, self.mailbox_sink):
            self.addCleanup(sink.close)
        self.plugin_settings = {"lnotify_default_channel": "UDP=WAKEUP",
                                "lnotify_default_address": self.global_sink.address}
        self.user_fields = {"bob": f"userdb_lnotify_default_address={self.userdb_sink.address}"}
        super().setUp()

    def test_precedence(self):
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        self.dovecot.deliver_lmtp("alice@example.test")
        self.assertIsNotNone(self.global_sink.receive(timeout=10), "global setting not used")
        self.dovecot.deliver_lmtp("bob@example.test")
        self.assertIsNotNone(self.userdb_sink.receive(timeout=10), "userdb field not used")
        self.choose("UDP=WAKEUP", self.mailbox_sink.address, user="bob")
        self.dovecot.deliver_lmtp("bob@example.test")
        self.assertIsNotNone(self.mailbox_sink.receive(timeout=10), "mailbox entry not used")
        self.assertIsNone(self.userdb_sink.receive(timeout=0.5))


class SigningKeyInProvision(DovecotTestCase):
    """With signing_key, the credential carries the public key and the
    algorithms list ed25519."""

    def setUp(self):
        super().setUp()
        self.key = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                                "ed25519-rfc8032-test1.pem")

    def test_credential_and_algorithms(self):
        key = os.path.join(self.dovecot.root, "signing.pem")
        shutil.copy(self.key, key)
        os.chown(key, 0, grp.getgrnam("dovecot").gr_gid)
        os.chmod(key, 0o640)
        conf = os.path.join(self.dovecot.root, "lnotify-dispatch.conf")
        with open(conf, "a") as f:
            f.write(f"signing_key = {key}\n")
        self.dovecot.stop()
        self.dovecot.start()
        self.assertIsNotNone(self.dovecot.wait_for_log(r"lnotify-dispatch: Info: started"))
        client = self.imap()
        typ, values, text = self.dovecot.get_metadata(client, "", [
            "/private/notify/outband/credential", "/private/notify/security/algorithms"])
        self.assertEqual(typ, "OK", text)
        # RFC 8032 test 1 public key, base64url
        self.assertTrue(values["/private/notify/outband/credential"].endswith(
            " ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"), values)
        self.assertEqual(values["/private/notify/security/algorithms"], "aes128gcm ed25519")


if __name__ == "__main__":
    unittest.main()

"""Issue 5: lnotify's payloads read back by decoders that share no code with
it — libwbxml's wbxml2xml, Wireshark's tshark (bytes wrapped by text2pcap),
xmllint, Python's json and openssl. The payloads come from the test-only CLI
tests/tools/lnotify-encode, which calls the same functions as the dispatcher.

A missing tool is a failure, not a skip: install them with
scripts/install-deps.sh (libwbxml2-utils, tshark, libxml2-utils, openssl).
"""

import json
import os
import random
import shutil
import struct
import subprocess
import tempfile
import unittest
import xml.dom.minidom

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD_DIR = os.environ.get("LNOTIFY_BUILD_DIR", os.path.join(HERE, "..", "..", "build"))
DATA_DIR = os.environ.get("LNOTIFY_TEST_DATA_DIR", os.path.join(HERE, "..", "data"))
ENCODE = os.path.join(BUILD_DIR, "tests", "lnotify-encode")
XEMN_DTD = os.path.join(DATA_DIR, "xemn.dtd")
SIGNING_KEY = os.path.join(DATA_DIR, "ed25519-rfc8032-test1.pem")

EMN_PUBLIC_ID = "-//WAPFORUM//DTD EMN 1.0//EN"
EMN_APP_ID = "x-wap-application:emn.ua"


def require_tools(*names):
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        raise AssertionError(
            f"decoder tool(s) not installed: {', '.join(missing)} "
            "(bash scripts/install-deps.sh installs them)")
    if not os.access(ENCODE, os.X_OK):
        raise AssertionError(f"{ENCODE} is missing: build with ninja -C build first")


def encode(form, *flags, **facts):
    """Runs lnotify-encode; facts become --name=value (name_hex: --name-hex)."""
    args = [ENCODE, form, *flags]
    for key, value in facts.items():
        args.append(f"--{key.replace('_', '-')}={value}")
    run = subprocess.run(args, capture_output=True, check=False)
    if run.returncode != 0:
        raise AssertionError(f"lnotify-encode failed: {run.stderr.decode(errors='replace')}")
    return run.stdout


def run_tool(*args, input_bytes=None):
    run = subprocess.run(args, capture_output=True, input=input_bytes, check=False)
    if run.returncode != 0:
        raise AssertionError(f"{args[0]} failed ({run.returncode}): "
                             f"{run.stderr.decode(errors='replace')}")
    return run.stdout


def hex_dump(packets):
    """text2pcap input: one hex dump per packet, offsets restarting at 0."""
    lines = []
    for packet in packets:
        for offset in range(0, len(packet), 16):
            chunk = packet[offset:offset + 16]
            lines.append(f"{offset:06x} " + " ".join(f"{b:02x}" for b in chunk))
        lines.append("")
    return "\n".join(lines) + "\n"


def random_text(rng, length):
    """Printable Unicode (BMP and astral), no surrogates, no controls."""
    out = []
    while len(out) < length:
        cp = rng.randrange(0x20, 0x30000)
        if 0x7F <= cp <= 0x9F or 0xD800 <= cp <= 0xDFFF or cp in (0xFFFE, 0xFFFF):
            continue
        out.append(chr(cp))
    return "".join(out)


def hostile_bytes(rng):
    """Header bytes as they arrive: any of random Unicode, controls, invalid
    UTF-8, markup, encoded-words, long or empty."""
    choice = rng.randrange(6)
    if choice == 0:
        return b""
    if choice == 1:
        return (random_text(rng, 3000)).encode()
    pieces = [
        random_text(rng, rng.randrange(1, 12)).encode(),
        bytes(rng.randrange(0, 0x20) for _ in range(3)),
        b"\xff\xc3(\xed\xa0\x80\xf4\x90\x80\x80",
        b"<&>\"']]>",
        b"=?utf-8?q?J=C3=B6rg?= =?iso-8859-1?b?SuRyZ2Vu?= =?bogus?q?x?=",
        b"\r\n\tfolded",
    ]
    return b"".join(rng.choice(pieces) for _ in range(rng.randrange(1, 8)))


def raw_attribute_reading(value):
    """What an XML parser reads from value written raw into an attribute.

    wbxml2xml writes TAB, CR and LF into attributes as they are (lnotify's
    libxml2 writer uses character references), and XML 1.0 §2.11/§3.3.3 turn
    CRLF into LF and then each of them into a space."""
    return value.replace("\r\n", "\n").replace("\r", " ").replace("\n", " ").replace("\t", " ")


def parse_pdml(pdml):
    """Field name -> list of (show, value) from tshark's PDML output."""
    doc = xml.dom.minidom.parseString(pdml)
    fields = {}
    for node in doc.getElementsByTagName("field"):
        fields.setdefault(node.getAttribute("name"), []).append(
            (node.getAttribute("show"), node.getAttribute("value")))
    return fields


def tshark_fields(dump, text2pcap_args, tshark_args=()):
    with tempfile.TemporaryDirectory(prefix="lnotify-pcap-") as tmp:
        hex_path = os.path.join(tmp, "frames.hex")
        pcap_path = os.path.join(tmp, "frames.pcap")
        with open(hex_path, "w") as f:
            f.write(dump)
        run_tool("text2pcap", "-q", *text2pcap_args, hex_path, pcap_path)
        return parse_pdml(run_tool("tshark", "-r", pcap_path, "-T", "pdml", *tshark_args))


class WbxmlThroughLibwbxml(unittest.TestCase):
    """Every WBXML EMN decodes with wbxml2xml back to the same EMN."""

    @classmethod
    def setUpClass(cls):
        require_tools("wbxml2xml")

    def decode(self, wbxml):
        with tempfile.TemporaryDirectory(prefix="lnotify-wbxml-") as tmp:
            src = os.path.join(tmp, "emn.wbxml")
            out = os.path.join(tmp, "emn.xml")
            with open(src, "wb") as f:
                f.write(wbxml)
            run_tool("wbxml2xml", "-o", out, src)
            with open(out, "rb") as f:
                doc = xml.dom.minidom.parseString(f.read())
        self.assertEqual(doc.doctype.publicId, EMN_PUBLIC_ID)
        root = doc.documentElement
        self.assertEqual(root.tagName, "emn")
        return root.getAttribute("mailbox"), root.getAttribute("timestamp")

    def emn_xml(self, **facts):
        doc = xml.dom.minidom.parseString(encode("emn-xml", **facts))
        root = doc.documentElement
        return root.getAttribute("mailbox"), root.getAttribute("timestamp")

    def test_golden_documents(self):
        # The documents of doc/payloads.md (Test vectors).
        self.assertEqual(self.decode(encode("wbxml", account="user@wapforum.org", timestamp=1018939200)),
                         ("mailat:user@wapforum.org", "2002-04-16T06:40:00Z"))
        self.assertEqual(self.decode(encode("wbxml", account="alice@example.com", timestamp=1180692000)),
                         ("mailat:alice@example.com", "2007-06-01T10:00:00Z"))
        self.assertEqual(
            self.decode(encode("wbxml", mailbox_uri="imap", imap_host="mail.example.com",
                               user="alice", mailbox="INBOX", uidvalidity=1180000000,
                               timestamp=1180692330)),
            ("imap://alice@mail.example.com/INBOX;UIDVALIDITY=1180000000", "2007-06-01T10:05:30Z"))

    def test_every_mailbox_start_token(self):
        for uri in ("pop://userxyz;auth=321321@pop.wapforum.org", "http://example.org/inbox",
                    "http://www.example.org/inbox", "https://example.org/inbox",
                    "https://www.example.org/?a=1&b=<2>", "tel:+15551234567", "imap://h/"):
            with self.subTest(uri=uri):
                self.assertEqual(self.decode(encode("wbxml", uri=uri, timestamp=946684800)),
                                 (uri, "2000-01-01T00:00:00Z"))

    def test_hostile_accounts_and_times_decode_to_the_xml_emn(self):
        rng = random.Random(1701)
        for case in range(40):
            facts = {"account_hex": hostile_bytes(rng)[:500].hex() or "61",
                     "timestamp": rng.randrange(0, 253402300800)}
            if case % 3 == 0:
                facts.update(mailbox_uri="imap", user_hex=hostile_bytes(rng)[:200].hex(),
                             mailbox_hex=hostile_bytes(rng)[:200].hex(),
                             uidvalidity=rng.randrange(0, 2**32))
            with self.subTest(case=case):
                mailbox, timestamp = self.emn_xml(**facts)
                self.assertEqual(self.decode(encode("wbxml", **facts)),
                                 (raw_attribute_reading(mailbox), timestamp))


class WspPushThroughTshark(unittest.TestCase):
    """Every WSP push PDU, sent over UDP 9200 -> 2948, decodes in tshark as an
    EMN push carrying exactly the WBXML EMN."""

    @classmethod
    def setUpClass(cls):
        require_tools("text2pcap", "tshark")

    def check_push(self, fields, wbxml, tid):
        self.assertEqual(fields["wsp.pdu_type"], [("0x06", "06")])
        self.assertEqual(fields["wsp.TID"][0][1], f"{tid:02x}")
        self.assertEqual(fields["wsp.header.content_type"][0][1], "0302030a")
        self.assertEqual(fields["wsp.header.x_wap_application_id"][0][0], EMN_APP_ID)
        self.assertEqual(fields["media.type"][0][1], wbxml.hex())

    def test_udp_push(self):
        rng = random.Random(2948)
        for case in range(12):
            facts = {"account_hex": hostile_bytes(rng)[:900].hex() or "61",
                     "timestamp": rng.randrange(0, 2**31), "sequence_id": case * 37}
            with self.subTest(case=case):
                pdu = encode("wsp", **facts)
                fields = tshark_fields(hex_dump([pdu]), ["-u", "9200,2948"])
                self.check_push(fields, encode("wbxml", **facts), (case * 37) & 0xFF)

    def test_binary_udp_wakeup_is_that_pdu(self):
        facts = {"account": "user@wapforum.org", "timestamp": 1018939200, "sequence_id": 1}
        pdu = encode("payload", channel="UDP", format="WAKEUP", udp_payload="wsp", **facts)
        self.assertEqual(pdu, encode("wsp", **facts))
        self.check_push(tshark_fields(hex_dump([pdu]), ["-u", "9200,2948"]),
                        encode("wbxml", **facts), 1)


def smpp_submit_sm(user_data, sequence):
    """An SMPP 3.4 submit_sm carrying 8-bit user data with a UDH (esm_class
    UDHI 0x40, data_coding 0x04): how the SMS reaches an SMSC, and a carrier
    tshark hands to its GSM SMS user-data dissector."""
    body = (b"\x00" + b"\x01\x01" + b"lnotify\x00" + b"\x01\x01" + b"15551234567\x00"
            + bytes([0x40, 0x00, 0x00]) + b"\x00" + b"\x00" + bytes([0x00, 0x00, 0x04, 0x00])
            + bytes([len(user_data)]) + user_data)
    return struct.pack(">IIII", 16 + len(body), 0x00000004, 0, sequence) + body


class SmsThroughTshark(unittest.TestCase):
    """Every SMS (UDH + data) decodes in tshark: port addressing, concatenation
    and, after reassembly, the EMN push."""

    @classmethod
    def setUpClass(cls):
        require_tools("text2pcap", "tshark")

    def decode(self, segments, *tshark_args):
        packets = [smpp_submit_sm(bytes.fromhex(s), i + 1) for i, s in enumerate(segments)]
        return tshark_fields(hex_dump(packets), ["-T", "40000,2775"], tshark_args)

    def segments(self, **facts):
        return encode("sms", **facts).decode().split()

    def test_one_sms(self):
        facts = {"account": "user@wapforum.org", "timestamp": 1018939200}
        segments = self.segments(reference=9, **facts)
        self.assertEqual(len(segments), 1)
        self.assertTrue(segments[0].startswith("0605040b8423f0"), segments[0])
        self.assertLessEqual(len(bytes.fromhex(segments[0])), 140)
        fields = self.decode(segments)
        self.assertEqual([s for s, _ in fields["gsm_sms.destination_port"]], ["2948"])
        self.assertEqual([s for s, _ in fields["gsm_sms.originator_port"]], ["9200"])
        self.assertNotIn("gsm_sms.udh.mm.msg_id", fields)
        self.assertEqual(fields["wsp.header.x_wap_application_id"][0][0], EMN_APP_ID)
        self.assertEqual(fields["media.type"][0][1], encode("wbxml", **facts).hex())

    def test_concatenated_sms_reassemble(self):
        rng = random.Random(23040)
        for case, length in enumerate((140, 300, 700)):
            facts = {"account_hex": random_text(rng, length).encode()[:length].hex(),
                     "timestamp": 1180692330}
            with self.subTest(length=length):
                segments = self.segments(reference=200 + case, **facts)
                self.assertGreater(len(segments), 1)
                for segment in segments:
                    self.assertLessEqual(len(bytes.fromhex(segment)), 140)
                fields = self.decode(segments)
                self.assertEqual({s for s, _ in fields["gsm_sms.udh.mm.msg_id"]}, {str(200 + case)})
                self.assertEqual({s for s, _ in fields["gsm_sms.udh.mm.msg_parts"]},
                                 {str(len(segments))})
                self.assertEqual([s for s, _ in fields["gsm_sms.udh.mm.msg_part"]],
                                 [str(i + 1) for i in range(len(segments))])
                self.assertEqual(fields["wsp.pdu_type"], [("0x06", "06")])
                self.assertEqual(fields["wsp.header.x_wap_application_id"][0][0], EMN_APP_ID)
                self.assertEqual(fields["media.type"][0][1], encode("wbxml", **facts).hex())

    def test_port_143_of_draft_appendix_a(self):
        facts = {"account": "joe@foo.com", "timestamp": 1077259200}
        segments = self.segments(port=143, **facts)
        self.assertTrue(segments[0].startswith("060504008f23f0"), segments[0])
        # tshark sends only the registered WAP ports to WSP unless told that
        # any port-addressed SMS is WSP.
        fields = self.decode(segments, "-o", "gsm_sms_ud.port_number_udh_means_wsp:TRUE")
        self.assertEqual([s for s, _ in fields["gsm_sms.destination_port"]], ["143"])
        self.assertEqual(fields["wsp.header.x_wap_application_id"][0][0], EMN_APP_ID)
        self.assertEqual(fields["media.type"][0][1], encode("wbxml", **facts).hex())


class XmlThroughXmllint(unittest.TestCase):
    """Every XML payload passes xmllint; xemn is valid per the draft's DTD
    (tests/data/xemn.dtd) and stays within the size limit."""

    @classmethod
    def setUpClass(cls):
        require_tools("xmllint")

    def xmllint(self, document, *args):
        with tempfile.NamedTemporaryFile(suffix=".xml") as f:
            f.write(document)
            f.flush()
            run = subprocess.run(["xmllint", "--noout", "--nonet", *args, f.name],
                                 capture_output=True, check=False)
        self.assertEqual(run.returncode, 0,
                         f"xmllint: {run.stderr.decode(errors='replace')}\n{document!r}")

    def test_emn_is_well_formed_with_the_registered_doctype(self):
        for facts in ({"account": "joe@foo.com", "timestamp": 1077259200},
                      {"mailbox_uri": "imap", "user": "a@b", "mailbox": "Lists/d\u00e9v;x",
                       "uidvalidity": 7, "timestamp": 0}):
            document = encode("emn-xml", **facts)
            self.xmllint(document)
            self.assertEqual(xml.dom.minidom.parseString(document).doctype.publicId, EMN_PUBLIC_ID)

    def test_xemn_is_valid_per_the_draft(self):
        document = encode("xemn-xml", timestamp=1077259200, uid=42, sequence_id=7, view="INBOX",
                          sender="=?utf-8?q?J=C3=B6rg?= <j@foo.com>", subject="Lunch & <games>",
                          snippet="See you", datetime=1077259080)
        self.xmllint(document, "--dtdvalid", XEMN_DTD)
        root = xml.dom.minidom.parseString(document).documentElement
        self.assertEqual(root.getAttribute("sender"), "J\u00f6rg <j@foo.com>")

    def test_signed_documents_stay_valid(self):
        self.xmllint(encode("emn-xml", signing_key=SIGNING_KEY, timestamp=1))
        self.xmllint(encode("xemn-xml", signing_key=SIGNING_KEY, subject="s", timestamp=1),
                     "--dtdvalid", XEMN_DTD)

    def test_hostile_facts_within_every_limit(self):
        rng = random.Random(5092)
        for case in range(30):
            facts = {name + "_hex": hostile_bytes(rng).hex()
                     for name in ("sender", "subject", "snippet", "view")}
            facts.update(timestamp=rng.randrange(0, 2**33), uid=rng.randrange(0, 2**32),
                         sequence_id=rng.randrange(0, 2**40), datetime=rng.randrange(-2**33, 2**34))
            for limit in (0, 100, 140, 400, 1300):
                with self.subTest(case=case, limit=limit):
                    document = encode("xemn-xml", size_limit=limit, **facts)
                    root = xml.dom.minidom.parseString(document).documentElement.tagName
                    if root == "xemn":
                        self.xmllint(document, "--dtdvalid", XEMN_DTD)
                        if limit:
                            self.assertLessEqual(len(document), limit)
                    else:
                        # Nothing fitted: the plain EMN wake-up, whatever its size.
                        self.assertEqual(root, "emn")
                        self.assertNotEqual(limit, 0)
                        self.xmllint(document)


class JsonThroughPython(unittest.TestCase):
    """Every JSON payload is RFC 8259 JSON (Python's strict decoder) and
    carries the text it was given."""

    def setUp(self):
        require_tools()

    def test_text_survives(self):
        rng = random.Random(8259)
        for case in range(40):
            subject = random_text(rng, rng.randrange(1, 60)).strip(" ")
            snippet = random_text(rng, rng.randrange(1, 200))
            with self.subTest(case=case):
                out = encode("json", subject=subject, snippet=snippet, uid=case + 1,
                             uidvalidity=99, timestamp=1077259200)
                obj = json.loads(out.decode("utf-8"))
                if subject:
                    self.assertEqual(obj["subject"], subject)
                self.assertEqual(obj["snippet"], snippet)
                self.assertEqual((obj["uid"], obj["uidvalidity"]), (case + 1, 99))
                self.assertEqual(obj["timestamp"], "2004-02-20T06:40:00Z")

    def test_hostile_facts_within_every_limit(self):
        rng = random.Random(5423)
        for case in range(30):
            facts = {name + "_hex": hostile_bytes(rng).hex()
                     for name in ("sender", "subject", "snippet", "view")}
            for limit in (0, 90, 300, 1000):
                with self.subTest(case=case, limit=limit):
                    out = encode("json", size_limit=limit, timestamp=1, uid=3, **facts)
                    obj = json.loads(out.decode("utf-8"))  # strict: valid UTF-8 and JSON
                    self.assertEqual(obj["mailbox"], "mailat:alice@example.test")
                    # Within the limit, unless it is the wake-up sent when
                    # nothing fits (just the two EMN members).
                    if limit and set(obj) != {"mailbox", "timestamp"}:
                        self.assertLessEqual(len(out), limit)

    def test_signature_member_is_last(self):
        out = encode("json", signing_key=SIGNING_KEY, subject="s", timestamp=1)
        obj = json.loads(out)
        self.assertEqual(list(obj)[-1], "signature")
        self.assertTrue(obj["signature"].startswith("ed25519:"))


class CredentialMatchesOpenssl(unittest.TestCase):
    """The provision value equals what the README's openssl recipe prints."""

    @classmethod
    def setUpClass(cls):
        require_tools("openssl", "basenc")

    def test_readme_recipe(self):
        recipe = (f"openssl pkey -in {SIGNING_KEY} -pubout -outform DER | tail -c 32 | "
                  "basenc --base64url | tr -d '='")
        public = run_tool("sh", "-c", recipe).decode().strip()
        self.assertEqual(public, "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")  # RFC 8032 TEST 1
        self.assertEqual(encode("credential", signing_key=SIGNING_KEY).decode(),
                         f"ed25519:{public}\n")


if __name__ == "__main__":
    unittest.main()

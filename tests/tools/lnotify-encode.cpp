// lnotify-encode: prints one payload for given facts, so tests can hand
// lnotify's output to independent decoders (libwbxml's wbxml2xml, tshark,
// xmllint). Test-only; not installed.
//
//   lnotify-encode FORM [--hex] [--fact=value ...]
//
// FORM      emn-xml | xemn-xml | json | wbxml | wsp | sms | payload | credential
// facts     --user --account --mailbox --event --view --sender --subject
//           --snippet (text; NAME-hex=HEX gives raw bytes, e.g. --subject-hex=ff00)
//           --uid --uidvalidity --timestamp --datetime --sequence-id --size-limit
//           --channel=UDP|SMS|... --format=WAKEUP|EXTENDED --p256dh --auth
// options   --mailbox-uri=mailat|imap --imap-host=H --udp-payload=xml|wsp
//           --signing-key=PEM --port=N --reference=N
//           --uri=URI (emn-xml, wbxml: name the mailbox with any URI)
// Output is the raw payload on stdout, or hex with --hex. "sms" prints one
// line of hex per SMS (UDH followed by data); "credential" prints the value
// of /private/notify/outband/credential for --signing-key.
#include <charconv>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>

#include "lnotify/payload/emn.h"
#include "lnotify/payload/payload.h"
#include "lnotify/payload/wbxml_emn.h"
#include "lnotify/payload/xemn.h"

using namespace lnotify;

namespace {

[[noreturn]] void die(const std::string& message) {
  std::cerr << "lnotify-encode: " << message << "\n";
  std::exit(2);
}

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string unhex(std::string_view text) {
  if (text.size() % 2) die("odd number of hex digits");
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + i + 2, value, 16);
    if (ec != std::errc() || end != text.data() + i + 2) die("bad hex digits");
    out += static_cast<char>(value);
  }
  return out;
}

template <typename Int>
Int number(const std::map<std::string, std::string>& args, const std::string& key, Int fallback) {
  auto it = args.find(key);
  if (it == args.end()) return fallback;
  Int value{};
  auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  if (ec != std::errc() || end != it->second.data() + it->second.size()) die("bad number for --" + key);
  return value;
}

std::string text(const std::map<std::string, std::string>& args, const std::string& key,
                 const std::string& fallback = "") {
  if (auto it = args.find(key + "-hex"); it != args.end()) return unhex(it->second);
  auto it = args.find(key);
  return it == args.end() ? fallback : it->second;
}

Result<std::string> unwrap_payload(Result<Payload> payload) {
  if (!payload) return payload.error();
  if (!payload->note.empty()) std::cerr << "note: " << payload->note << "\n";
  return std::move(payload->bytes);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) die("usage: lnotify-encode FORM [--hex] [--name=value ...]");
  const std::string form = argv[1];
  std::map<std::string, std::string> args;
  bool as_hex = false;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--hex") {
      as_hex = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) die("unexpected argument " + arg);
    size_t eq = arg.find('=');
    if (eq == std::string::npos) die("expected --name=value: " + arg);
    args[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
  }

  NotificationRequest r;
  r.user = text(args, "user", "alice");
  r.account = text(args, "account", "alice@example.test");
  r.mailbox = text(args, "mailbox", "INBOX");
  r.event = text(args, "event", "MessageNew");
  r.view = text(args, "view");
  r.sender = text(args, "sender");
  r.subject = text(args, "subject");
  r.snippet = text(args, "snippet");
  r.uid = number<uint32_t>(args, "uid", 0);
  r.uidvalidity = number<uint32_t>(args, "uidvalidity", 0);
  r.timestamp = number<int64_t>(args, "timestamp", 0);
  r.datetime = number<int64_t>(args, "datetime", 0);
  r.sequence_id = number<uint64_t>(args, "sequence-id", 0);
  r.size_limit = number<uint32_t>(args, "size-limit", 0);
  r.device_p256dh = text(args, "p256dh");
  r.device_auth = text(args, "auth");
  if (auto kind = channel_from_name(text(args, "channel", "UDP"))) r.channel = *kind;
  else die("unknown channel");
  r.format = text(args, "format", "EXTENDED") == "WAKEUP" ? PayloadFormat::Wakeup
                                                         : PayloadFormat::Extended;

  PayloadOptions options;
  if (text(args, "mailbox-uri") == "imap") options.mailbox_uri = MailboxUriStyle::Imap;
  options.imap_host = text(args, "imap-host", "imap.example.test");
  if (text(args, "udp-payload") == "wsp") options.udp_wakeup = UdpWakeupForm::Wsp;
  if (auto key = text(args, "signing-key"); !key.empty()) {
    auto signer = PayloadSigner::load_pem_file(key);
    if (!signer) die(signer.error().message);
    options.signer = std::move(*signer);
  }

  const std::string uri = text(args, "uri", mailbox_uri_for(r, options));
  Result<std::string> out = std::string();
  if (form == "emn-xml") {
    out = encode_emn_xml(EmnWakeup{uri, r.timestamp});
    if (out && options.signer) out = sign_xml_document(*out, *options.signer);
  } else if (form == "xemn-xml") {
    r.channel = ChannelKind::Udp;
    r.format = PayloadFormat::Extended;
    out = unwrap_payload(build_payload(r, options));
  } else if (form == "json") {
    out = unwrap_payload(build_json_payload(r, options));
  } else if (form == "wbxml") {
    out = encode_emn_wbxml(EmnWakeup{uri, r.timestamp});
  } else if (form == "wsp") {
    out = build_wsp_wakeup(r, options).bytes;
  } else if (form == "payload") {
    out = unwrap_payload(build_payload(r, options));
  } else if (form == "credential") {
    if (!options.signer) die("credential needs --signing-key");
    out = options.signer->credential() + "\n";
  } else if (form == "sms") {
    auto segments = build_sms_wakeup(r, options, number<uint8_t>(args, "reference", 0),
                                     number<uint16_t>(args, "port", kWapPushPort));
    if (!segments) die(segments.error().message);
    for (const auto& segment : *segments) std::cout << hex(segment.user_data()) << "\n";
    return 0;
  } else {
    die("unknown form " + form);
  }
  if (!out) die(out.error().message);
  if (as_hex)
    std::cout << hex(*out) << "\n";
  else
    std::cout.write(out->data(), static_cast<std::streamsize>(out->size()));
  return 0;
}

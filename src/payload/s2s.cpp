#include "lnotify/payload/s2s.h"

#include <openssl/hmac.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "core/json_writer.h"
#include "lnotify/payload/emn.h"
#include "lnotify/payload/mailbox_uri.h"
#include "lnotify/payload/mime_header.h"
#include "lnotify/metadata/preferences.h"
#include "core/text_util.h"
#include "core/utf8.h"

namespace lnotify {
namespace {

// What the mail plugin can produce (plugin/lnotify-events.h), and MWI.
constexpr std::string_view kKnownEvents[] = {
    "MessageNew",    "MessageAppend",    "MessageExpunge",   "MessageExpire",
    "MessageRead",   "MessageTrash",     "FlagsSet",         "FlagsClear",
    "MailboxCreate", "MailboxDelete",    "MailboxRename",    "MailboxSubscribe",
    "MailboxUnSubscribe", "Login",       "Logout",           "QuotaExceed",
    "QuotaWithin",   kMwiEventName};

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.';
  });
}

Result<std::string> absolute_path(std::string_view key, std::string_view value) {
  if (value.empty() || value.front() != '/')
    return permanent_error(std::string(key) + " must be an absolute path");
  return std::string(value);
}

Result<void> check_url(std::string_view url) {
  // No other scheme: libcurl would also speak file:, ftp:, smtp:, ...
  std::string_view rest;
  if (url.starts_with("https://"))
    rest = url.substr(8);
  else if (url.starts_with("http://"))
    rest = url.substr(7);
  else
    return permanent_error("url " + text::quote_for_message(url) + " must be http:// or https://");
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.find('@') != std::string_view::npos)
    return permanent_error("url " + text::quote_for_message(url) +
                           " needs a host and no user:password@ (the request is signed instead)");
  if (!std::all_of(url.begin(), url.end(),
                   [](char c) { return c > ' ' && c < 0x7f; }))
    return permanent_error("url " + text::quote_for_message(url) +
                           " must be printable ASCII without spaces");
  if (auto host = validate_imap_host(authority); !host)
    return permanent_error("url " + text::quote_for_message(url) + ": " + host.error().message);
  return {};
}

}  // namespace

bool S2sTarget::wants(std::string_view event) const {
  return std::find(events.begin(), events.end(), event) != events.end();
}

const std::vector<std::string>& default_s2s_events() {
  // Draft §14.4: New Message Deposit, Login, Logout, Read, Delete, Purge,
  // Mailbox full, Mailbox full cancellation.
  static const std::vector<std::string> events{"MessageNew",   "Login",          "Logout",
                                               "MessageRead",  "MessageTrash",   "MessageExpunge",
                                               "QuotaExceed",  "QuotaWithin"};
  return events;
}

Result<S2sTarget> parse_s2s_target(std::string_view value) {
  const std::string_view syntax =
      " (expected NAME url=http(s)://... secret_file=/path [events=MessageNew,Login,...,MWI] "
      "[client_cert=/path client_key=/path] [ca_file=/path] [timeout=SECONDS], "
      "or NAME sip=sip:user@host[:port] [events=MWI])";
  S2sTarget target;
  bool first = true, have_events = false, have_timeout = false;
  while (!(value = text::trim(value)).empty()) {
    const size_t end = value.find_first_of(" \t");
    const std::string_view word = value.substr(0, end);
    value = end == std::string_view::npos ? std::string_view{} : value.substr(end);
    if (first) {
      first = false;
      if (!valid_name(word))
        return permanent_error("target name " + text::quote_for_message(word) +
                               " must be letters, digits, '-', '_' or '.'" + std::string(syntax));
      target.name = std::string(word);
      continue;
    }
    const size_t eq = word.find('=');
    if (eq == std::string_view::npos)
      return permanent_error("expected key=value, got " + text::quote_for_message(word) +
                             std::string(syntax));
    const std::string_view key = word.substr(0, eq), v = word.substr(eq + 1);
    const std::string where = "target " + target.name + ": ";
    if (key == "url") {
      if (auto ok = check_url(v); !ok) return permanent_error(where + ok.error().message);
      target.url = std::string(v);
    } else if (key == "sip") {
      // Only sip: (RFC 3842 MWI targets are SIP UAs); the SIP layer has no
      // TLS, so a sips: URI would be a promise it cannot keep.
      auto address = parse_sip_address(v);
      if (!v.starts_with("sip:") || !address)
        return permanent_error(where + "sip " + text::quote_for_message(v) + " must be a sip: URI" +
                               (address ? std::string() : ": " + address.error().message));
      if (!address->transport.empty() && address->transport != "udp" &&
          address->transport != "tcp")
        return permanent_error(where + "sip " + text::quote_for_message(v) +
                               ": transport must be udp or tcp");
      target.sip = std::string(v);
    } else if (key == "events") {
      have_events = true;
      std::string_view list = v;
      while (!list.empty()) {
        const size_t comma = list.find(',');
        const std::string_view name = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        auto known = std::find(std::begin(kKnownEvents), std::end(kKnownEvents), name);
        if (known == std::end(kKnownEvents))
          return permanent_error(where + "unknown event " + text::quote_for_message(name) +
                                 " (RFC 5423 names as the plugin produces them, or MWI)");
        if (!target.wants(name)) target.events.emplace_back(name);
      }
      if (target.events.empty()) return permanent_error(where + "events= is empty");
    } else if (key == "secret_file" || key == "client_cert" || key == "client_key" ||
               key == "ca_file") {
      auto path = absolute_path(key, v);
      if (!path) return permanent_error(where + path.error().message);
      (key == "secret_file"   ? target.secret_file
       : key == "client_cert" ? target.client_cert
       : key == "client_key"  ? target.client_key
                              : target.ca_file) = std::move(*path);
    } else if (key == "timeout") {
      unsigned secs = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), secs);
      if (!text::all_digits(v) || ec != std::errc() || secs < 1 || secs > 120)
        return permanent_error(where + "timeout must be a number of seconds from 1 to 120");
      target.timeout_secs = secs;
      have_timeout = true;
    } else {
      return permanent_error(where + "unknown key " + text::quote_for_message(key) +
                             std::string(syntax));
    }
  }
  if (target.name.empty()) return permanent_error("s2s_target needs a name" + std::string(syntax));
  if (target.is_sip()) {
    const std::string where = "target " + target.name + ": ";
    if (!target.url.empty()) return permanent_error(where + "give url= or sip=, not both");
    // RFC 3842 carries a message-waiting state, nothing else; the HTTP-only
    // keys would be silently ignored, so they are refused instead.
    if (!target.secret_file.empty() || !target.client_cert.empty() || !target.ca_file.empty() ||
        have_timeout)
      return permanent_error(where + "secret_file=, client_cert=, client_key=, ca_file= and "
                             "timeout= are for url= targets (SIP uses RFC 3261 Timer F)");
    if (!have_events) target.events = {std::string(kMwiEventName)};
    if (target.events.size() != 1 || target.events[0] != kMwiEventName)
      return permanent_error(where + "a sip= target takes MWI updates only (events=MWI)");
    return target;
  }
  if (target.url.empty())
    return permanent_error("target " + target.name + ": url= is required" + std::string(syntax));
  if (target.secret_file.empty())
    return permanent_error("target " + target.name +
                           ": secret_file= is required (every request is signed, draft §15)");
  if (target.client_cert.empty() != target.client_key.empty())
    return permanent_error("target " + target.name +
                           ": client_cert= and client_key= go together");
  if (!target.client_cert.empty() && !target.url.starts_with("https://"))
    return permanent_error("target " + target.name + ": a client certificate needs an https:// url");
  if (!have_events) target.events = default_s2s_events();
  return target;
}

Result<void> load_s2s_secret(S2sTarget& target) {
  if (target.is_sip()) return {};
  struct stat st;
  if (::stat(target.secret_file.c_str(), &st) < 0)
    return permanent_error("target " + target.name + ": cannot read secret_file " +
                           target.secret_file);
  if ((st.st_mode & S_IROTH) != 0)
    return permanent_error("target " + target.name + ": secret_file " + target.secret_file +
                           " is readable by everyone; make it mode 0640 or stricter");
  std::ifstream in(target.secret_file);
  if (!in)
    return permanent_error("target " + target.name + ": cannot read secret_file " +
                           target.secret_file);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string secret(text::trim(text.str()));
  if (secret.size() < 16)
    return permanent_error("target " + target.name + ": the secret in " + target.secret_file +
                           " is shorter than 16 bytes");
  target.secret = secret;
  return {};
}

std::string s2s_provision(const std::vector<S2sTarget>& targets) {
  std::string out;
  for (const S2sTarget& t : targets) {
    if (!out.empty()) out += ' ';
    out += t.name + '=';
    for (size_t i = 0; i < t.events.size(); ++i) out += (i > 0 ? "," : "") + t.events[i];
  }
  return out;
}

std::string s2s_message_url(const NotificationRequest& r, const PayloadOptions& o) {
  if (o.imap_host.empty()) return {};
  if (r.mwi || r.mailbox.empty()) {
    // RFC 3842 Message-Account: the account as an imap URL of the server.
    return imap_mailbox_url(r.user, o.imap_host, "", 0);
  }
  std::string url = imap_mailbox_url(r.user, o.imap_host, r.mailbox, r.uidvalidity);
  // RFC 5092: "/;UID=" names the message within the mailbox.
  if (r.uid != 0 && r.uidvalidity != 0) url += "/;UID=" + std::to_string(r.uid);
  return url;
}

std::string encode_s2s_json(const NotificationRequest& r, const PayloadOptions& o) {
  json::ObjectWriter w;
  // RFC 5423 §5 names where one exists (event, timestamp, user, uri,
  // messages, uidset); lnotify's names for the rest.
  w.string("event", utf8::sanitize(r.event));
  w.string("action", r.mwi ? "mwi" : "notify");  // draft §14.6: what to do
  w.string("timestamp", emn_timestamp(r.timestamp));
  // Draft §14.6: whose mailbox changed, as the account (user@domain), the
  // same whether the event came over LMTP or IMAP; and whom to inform.
  const std::string& account = r.account.empty() ? r.user : r.account;
  w.string("user", account);
  std::string inform = "[";
  json::append_string(inform, account);
  inform += ']';
  w.raw("inform", inform);
  w.number("sequence-id", r.sequence_id);
  if (const std::string url = s2s_message_url(r, o); !url.empty()) w.string("uri", url);
  if (r.mwi) {
    w.string("messages-waiting", r.unseen > 0 ? "yes" : "no");  // RFC 3842's words
    w.string("mailboxes", utf8::sanitize(r.mailbox));
    w.number("messages", uint64_t{r.messages});
    w.number("unseen", uint64_t{r.unseen});
    return w.finish();
  }
  if (!r.mailbox.empty()) {
    w.string("mailbox", utf8::sanitize(r.mailbox));
    w.number("messages", uint64_t{r.messages});
    w.number("unseen", uint64_t{r.unseen});
  }
  if (r.uidvalidity != 0) w.number("uidvalidity", uint64_t{r.uidvalidity});
  if (r.uid != 0) w.string("uidset", std::to_string(r.uid));
  const std::string sender = decode_header_value(r.sender);
  const std::string subject = decode_header_value(r.subject);
  if (!sender.empty()) w.string("sender", sender);
  if (!subject.empty()) w.string("subject", subject);
  if (r.datetime != 0 && emn_time_representable(r.datetime))
    w.string("datetime", emn_timestamp(r.datetime));
  return w.finish();
}

std::string s2s_signature(std::string_view secret, std::string_view id, int64_t timestamp,
                          std::string_view body) {
  std::string signed_text;
  signed_text.reserve(id.size() + body.size() + 24);
  signed_text.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac,
       &mac_len);
  return "v1=" + text::to_hex(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

}  // namespace lnotify

#include "service/dispatcher_config.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "channels/common/sip/sip_client.h"
#include "lnotify/payload/mailbox_uri.h"
#include "lnotify/metadata/destination_policy.h"
#include "lnotify/dispatcher/rate_limit.h"
#include "lnotify/payload/vapid.h"
#include "core/text_util.h"

namespace lnotify {
namespace {

Result<std::vector<ChannelKind>> parse_channel_list(std::string_view value) {
  std::vector<ChannelKind> channels;
  while (!(value = text::trim(value)).empty()) {
    size_t end = value.find_first_of(" \t,");
    std::string_view name = value.substr(0, end);
    auto kind = channel_from_name(name);
    if (!kind) return permanent_error("unknown channel " + text::quote_for_message(name));
    if (*kind == ChannelKind::Http)
      return permanent_error("HTTP is not listed in channels: it runs when s2s_target lines "
                             "configure server-to-server targets");
    channels.push_back(*kind);
    value = end == std::string_view::npos ? std::string_view{} : value.substr(end + 1);
  }
  return channels;
}

// A whole number from min to max; the setting's name and unit make the
// error message.
Result<unsigned> parse_number(std::string_view key, std::string_view value, unsigned min,
                              unsigned max, std::string_view unit) {
  unsigned number = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (!text::all_digits(value) || ec != std::errc() || end != value.data() + value.size() ||
      number < min || number > max)
    return permanent_error(std::string(key) + " must be a number of " + std::string(unit) +
                           " from " + std::to_string(min) + " to " + std::to_string(max));
  return number;
}

Result<bool> parse_yes_no(std::string_view key, std::string_view value) {
  if (text::iequals(value, "yes")) return true;
  if (text::iequals(value, "no")) return false;
  return permanent_error(std::string(key) + " must be yes or no");
}

// Host names or address literals (IPv6 without brackets), lowercased.
Result<std::vector<std::string>> parse_host_list(std::string_view value) {
  std::vector<std::string> hosts;
  while (!(value = text::trim(value)).empty()) {
    size_t end = value.find_first_of(" \t,");
    std::string_view host = value.substr(0, end);
    const std::string url = host.find(':') != std::string_view::npos
                                ? "http://[" + std::string(host) + "]/"
                                : "http://" + std::string(host) + "/";
    auto parsed = parse_webpush_endpoint(url);
    if (!parsed) return permanent_error("not a host name or address: " + text::quote_for_message(host));
    hosts.push_back(parsed->host);
    value = end == std::string_view::npos ? std::string_view{} : value.substr(end + 1);
  }
  return hosts;
}

}  // namespace

Result<DispatcherConfig> parse_dispatcher_config(std::string_view text) {
  DispatcherConfig config;
  unsigned line_no = 0;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    ++line_no;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = text::trim(line);
    if (line.empty()) continue;

    const std::string where = "line " + std::to_string(line_no) + ": ";
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return permanent_error(where + "expected key = value");
    std::string_view key = text::trim(line.substr(0, eq));
    std::string_view value = text::trim(line.substr(eq + 1));

    if (key == "spool_dir") {
      if (value.empty() || value.front() != '/')
        return permanent_error(where + "spool_dir must be an absolute path");
      config.spool_dir = std::string(value);
    } else if (key == "state_dir") {
      if (value.empty() || value.front() != '/')
        return permanent_error(where + "state_dir must be an absolute path");
      config.state_dir = std::string(value);
    } else if (key == "scan_interval") {
      auto secs = parse_number(key, value, 1, 86400, "seconds");
      if (!secs) return permanent_error(where + secs.error().message);
      config.scan_interval_secs = *secs;
    } else if (key == "unanswered_limit") {
      auto count = parse_number(key, value, 0, 1000000, "notifications (0: no limit)");
      if (!count) return permanent_error(where + count.error().message);
      config.policy.unanswered_limit = *count;
    } else if (key == "wakeup_interval") {
      auto secs = parse_number(key, value, 1, 7 * 86400, "seconds");
      if (!secs) return permanent_error(where + secs.error().message);
      config.policy.wakeup_interval_secs = *secs;
    } else if (key == "reminder_interval") {
      auto secs = parse_number(key, value, 0, 7 * 86400, "seconds (0: no reminders)");
      if (!secs) return permanent_error(where + secs.error().message);
      config.policy.reminder_interval_secs = *secs;
    } else if (key == "reminder_limit") {
      auto count = parse_number(key, value, 0, 1000, "reminders (0: none)");
      if (!count) return permanent_error(where + count.error().message);
      config.policy.reminder_limit = *count;
    } else if (key == "rate_limit") {
      auto limit = parse_rate_limit(value);
      if (!limit) return permanent_error(where + limit.error().message);
      config.policy.rate_limit = *limit;
    } else if (key == "coalesce") {
      auto yes = parse_yes_no(key, value);
      if (!yes) return permanent_error(where + yes.error().message);
      config.policy.coalesce = *yes;
    } else if (key == "retry_base") {
      auto secs = parse_number(key, value, 1, 86400, "seconds");
      if (!secs) return permanent_error(where + secs.error().message);
      config.policy.retry_base_secs = *secs;
    } else if (key == "retry_max") {
      auto secs = parse_number(key, value, 1, 7 * 86400, "seconds");
      if (!secs) return permanent_error(where + secs.error().message);
      config.policy.retry_max_secs = *secs;
    } else if (key == "expire") {
      auto secs = parse_number(key, value, 1, 30 * 86400, "seconds");
      if (!secs) return permanent_error(where + secs.error().message);
      config.policy.expire_secs = *secs;
    } else if (key == "channels") {
      auto channels = parse_channel_list(value);
      if (!channels) return permanent_error(where + channels.error().message);
      config.channels = std::move(*channels);
    } else if (key == "allowed_destinations") {
      auto policy = DestinationPolicy::parse(value);
      if (!policy) return permanent_error(where + "allowed_destinations: " + policy.error().message);
      config.allowed_destinations = std::string(value);
    } else if (key == "identity") {
      if (value.empty() || value.find_first_of(" \t") != std::string_view::npos)
        return permanent_error(where + "identity must be one word, e.g. mail.example.org");
      config.identity = std::string(value);
    } else if (key == "mailbox_uri") {
      if (text::iequals(value, "mailat"))
        config.mailbox_uri = MailboxUriStyle::Mailat;
      else if (text::iequals(value, "imap"))
        config.mailbox_uri = MailboxUriStyle::Imap;
      else
        return permanent_error(where + "mailbox_uri must be mailat or imap");
    } else if (key == "imap_host") {
      if (auto valid = validate_imap_host(value); !valid)
        return permanent_error(where + "imap_host " + text::quote_for_message(value) + ": " +
                               valid.error().message);
      config.imap_host = std::string(value);
    } else if (key == "udp_payload") {
      if (text::iequals(value, "xml"))
        config.udp_payload = UdpWakeupForm::Xml;
      else if (text::iequals(value, "wsp"))
        config.udp_payload = UdpWakeupForm::Wsp;
      else
        return permanent_error(where + "udp_payload must be xml or wsp");
    } else if (key == "xmpp_payload") {
      if (text::iequals(value, "xml"))
        config.xmpp_payload = XmppPayloadForm::Xml;
      else if (text::iequals(value, "json"))
        config.xmpp_payload = XmppPayloadForm::Json;
      else
        return permanent_error(where + "xmpp_payload must be xml or json");
    } else if (key == "signing_key") {
      if (value.empty() || value.front() != '/')
        return permanent_error(where + "signing_key must be an absolute path");
      config.signing_key = std::string(value);
    } else if (key == "sip_outbound_proxy") {
      if (!value.empty()) {
        if (auto proxy = sip::parse_host_port(value); !proxy)
          return permanent_error(where + "sip_outbound_proxy " + text::quote_for_message(value) +
                                 ": " + proxy.error().message);
      }
      config.sip_outbound_proxy = std::string(value);
    } else if (key == "sip_workers") {
      auto count = parse_number(key, value, 1, 256, "threads");
      if (!count) return permanent_error(where + count.error().message);
      config.sip_workers = *count;
    } else if (key == "sip_t1_ms") {
      auto ms = parse_number(key, value, 10, 10000, "milliseconds");
      if (!ms) return permanent_error(where + ms.error().message);
      config.sip_t1_ms = *ms;
    } else if (key == "sip_username" || key == "sip_password") {
      // sent back in a quoted string of the Authorization header
      for (char c : value)
        if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\' || c == 0x7f)
          return permanent_error(where + std::string(key) +
                                 " must not contain quotes, backslashes or control characters");
      (key == "sip_username" ? config.sip_username : config.sip_password) = std::string(value);
    } else if (key == "s2s_target") {
      auto target = parse_s2s_target(value);
      if (!target) return permanent_error(where + "s2s_target: " + target.error().message);
      for (const S2sTarget& other : config.s2s_targets)
        if (other.name == target->name)
          return permanent_error(where + "s2s_target " + target->name + " is defined twice");
      config.s2s_targets.push_back(std::move(*target));
    } else if (key == "s2s_mwi_mailboxes") {
      if (value.empty() || value.find_first_of("\t\"") != std::string_view::npos)
        return permanent_error(where + "s2s_mwi_mailboxes must list mailbox names, "
                               "space-separated (e.g. INBOX Voicemail)");
      config.s2s_mwi_mailboxes = std::string(value);
    } else if (key == "webpush_vapid_key") {
      if (value.empty() || value.front() != '/')
        return permanent_error(where + "webpush_vapid_key must be an absolute path");
      config.webpush_vapid_key = std::string(value);
    } else if (key == "webpush_subject") {
      if (auto valid = validate_vapid_subject(value); !valid)
        return permanent_error(where + "webpush_subject: " + valid.error().message);
      config.webpush_subject = std::string(value);
    } else if (key == "webpush_ttl") {
      // RFC 8030 §5.2: the push service may cap it; four weeks is the
      // longest any documents.
      auto secs = parse_number(key, value, 0, 28 * 86400, "seconds");
      if (!secs) return permanent_error(where + secs.error().message);
      config.webpush_ttl_secs = *secs;
    } else if (key == "webpush_timeout") {
      auto secs = parse_number(key, value, 1, 120, "seconds");
      if (!secs) return permanent_error(where + secs.error().message);
      config.webpush_timeout_secs = *secs;
    } else if (key == "webpush_payload") {
      if (text::iequals(value, "xml"))
        config.webpush_json = false;
      else if (text::iequals(value, "json"))
        config.webpush_json = true;
      else
        return permanent_error(where + "webpush_payload must be xml (EMN and xemn, the draft's) "
                               "or json");
    } else if (key == "webpush_allow_http_hosts") {
      auto hosts = parse_host_list(value);
      if (!hosts) return permanent_error(where + "webpush_allow_http_hosts: " + hosts.error().message);
      config.webpush_allow_http_hosts = std::move(*hosts);
    } else if (key.starts_with("deltachat_")) {
      auto known = parse_deltachat_setting(config.deltachat, key, value);
      if (!known) return permanent_error(where + known.error().message);
      if (!*known) return permanent_error(where + "unknown setting " + text::quote_for_message(key));
    } else if (key.starts_with("sms_")) {
      auto known = parse_sms_setting(key, value, config.sms);
      if (!known) return permanent_error(where + known.error().message);
      if (!*known) return permanent_error(where + "unknown setting " + text::quote_for_message(key));
    } else if (auto xmpp = parse_xmpp_setting(config.xmpp, key, value); !xmpp) {
      return permanent_error(where + xmpp.error().message);
    } else if (!*xmpp) {
      return permanent_error(where + "unknown setting " + text::quote_for_message(key));
    }
  }
  if (config.policy.retry_max_secs < config.policy.retry_base_secs)
    return permanent_error("retry_max (" + std::to_string(config.policy.retry_max_secs) +
                           ") must not be less than retry_base (" +
                           std::to_string(config.policy.retry_base_secs) + ")");
  if (config.sip_username.empty() != config.sip_password.empty())
    return permanent_error("sip_username and sip_password go together (Digest credentials)");
  if (!config.s2s_targets.empty() && config.imap_host.empty())
    return permanent_error("s2s_target needs imap_host (requests carry the message's imap:// "
                           "URL, RFC 5092)");
  if (std::find(config.channels.begin(), config.channels.end(), ChannelKind::Xmpp) !=
      config.channels.end()) {
    if (auto xmpp = check_xmpp_config(config.xmpp); !xmpp) return xmpp.error();
  }
  for (ChannelKind kind : config.channels) {
    if (kind != ChannelKind::WebPush) continue;
    if (config.webpush_vapid_key.empty())
      return permanent_error("channel WEBPUSH needs webpush_vapid_key (the path of a P-256 "
                             "PEM key: openssl ecparam -name prime256v1 -genkey -noout -out FILE)");
    if (config.webpush_subject.empty())
      return permanent_error("channel WEBPUSH needs webpush_subject (a contact for push "
                             "services, e.g. mailto:postmaster@example.org)");
  }
  if (config.mailbox_uri == MailboxUriStyle::Imap && config.imap_host.empty())
    return permanent_error("mailbox_uri = imap needs imap_host (the host clients connect to)");
  return config;
}

Result<PayloadOptions> make_payload_options(const DispatcherConfig& config) {
  PayloadOptions options;
  options.mailbox_uri = config.mailbox_uri;
  options.imap_host = config.imap_host;
  options.udp_wakeup = config.udp_payload;
  options.xmpp = config.xmpp_payload;
  options.webpush_json = config.webpush_json;
  if (!config.signing_key.empty()) {
    auto signer = PayloadSigner::load_pem_file(config.signing_key);
    if (!signer) return permanent_error("signing_key: " + signer.error().message);
    options.signer = std::move(*signer);
  }
  return options;
}

Result<DispatcherConfig> load_dispatcher_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return permanent_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto config = parse_dispatcher_config(text.str());
  if (!config) return permanent_error(path + ": " + config.error().message);
  return config;
}

}  // namespace lnotify

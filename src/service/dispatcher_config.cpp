#include "service/dispatcher_config.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "lnotify/payload/mailbox_uri.h"
#include "lnotify/metadata/destination_policy.h"
#include "lnotify/dispatcher/rate_limit.h"
#include "core/setting_value.h"
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

// The host name, for the identity when none is set.
std::string host_name() {
  char name[256] = "";
  if (gethostname(name, sizeof(name) - 1) < 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

const channels::ChannelDriver* DispatcherConfig::driver(ChannelKind kind) const {
  for (const auto& driver : drivers)
    if (driver->kind() == kind) return driver.get();
  return nullptr;
}

bool DispatcherConfig::runs(const channels::ChannelDriver& driver) const {
  return driver.runs_unlisted() ||
         std::find(channels.begin(), channels.end(), driver.kind()) != channels.end();
}

channels::DriverContext DispatcherConfig::driver_context() const {
  channels::DriverContext context;
  context.identity = identity.empty() ? host_name() : identity;
  context.configured_identity = identity;
  context.allowed_destinations = allowed_destinations;
  context.mailbox_uri = mailbox_uri;
  context.imap_host = imap_host;
  return context;
}

Result<DispatcherConfig> parse_dispatcher_config(std::string_view text,
                                                 std::span<const DriverFactory> drivers) {
  DispatcherConfig config;
  for (DriverFactory make : drivers) config.drivers.push_back(make());
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
      auto path = parse_setting_path(key, value);
      if (!path) return permanent_error(where + path.error().message);
      config.spool_dir = std::move(*path);
    } else if (key == "state_dir") {
      auto path = parse_setting_path(key, value);
      if (!path) return permanent_error(where + path.error().message);
      config.state_dir = std::move(*path);
    } else if (key == "scan_interval") {
      auto secs = parse_setting_number(key, value, 1, 86400, "seconds");
      if (!secs) return permanent_error(where + secs.error().message);
      config.scan_interval_secs = *secs;
    } else if (key == "unanswered_limit") {
      auto count = parse_setting_number(key, value, 0, 1000000, "notifications (0: no limit)");
      if (!count) return permanent_error(where + count.error().message);
      config.policy.unanswered_limit = *count;
    } else if (key == "wakeup_interval") {
      auto secs = parse_setting_number(key, value, 1, 7 * 86400, "seconds");
      if (!secs) return permanent_error(where + secs.error().message);
      config.policy.wakeup_interval_secs = *secs;
    } else if (key == "reminder_interval") {
      auto secs = parse_setting_number(key, value, 0, 7 * 86400, "seconds (0: no reminders)");
      if (!secs) return permanent_error(where + secs.error().message);
      config.policy.reminder_interval_secs = *secs;
    } else if (key == "reminder_limit") {
      auto count = parse_setting_number(key, value, 0, 1000, "reminders (0: none)");
      if (!count) return permanent_error(where + count.error().message);
      config.policy.reminder_limit = *count;
    } else if (key == "rate_limit") {
      auto limit = parse_rate_limit(value);
      if (!limit) return permanent_error(where + limit.error().message);
      config.policy.rate_limit = *limit;
    } else if (key == "coalesce") {
      auto yes = parse_setting_yes_no(key, value);
      if (!yes) return permanent_error(where + yes.error().message);
      config.policy.coalesce = *yes;
    } else if (key == "retry_base") {
      auto secs = parse_setting_number(key, value, 1, 86400, "seconds");
      if (!secs) return permanent_error(where + secs.error().message);
      config.policy.retry_base_secs = *secs;
    } else if (key == "retry_max") {
      auto secs = parse_setting_number(key, value, 1, 7 * 86400, "seconds");
      if (!secs) return permanent_error(where + secs.error().message);
      config.policy.retry_max_secs = *secs;
    } else if (key == "expire") {
      auto secs = parse_setting_number(key, value, 1, 30 * 86400, "seconds");
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
    } else if (key == "webpush_payload") {
      if (text::iequals(value, "xml"))
        config.webpush_json = false;
      else if (text::iequals(value, "json"))
        config.webpush_json = true;
      else
        return permanent_error(where + "webpush_payload must be xml (EMN and xemn, the draft's) "
                               "or json");
    } else if (key == "signing_key") {
      auto path = parse_setting_path(key, value);
      if (!path) return permanent_error(where + path.error().message);
      config.signing_key = std::move(*path);
    } else {
      bool known = false;
      for (auto& driver : config.drivers) {
        auto taken = driver->configure(key, value);
        if (!taken) return permanent_error(where + taken.error().message);
        known = known || *taken;
      }
      if (!known) return permanent_error(where + "unknown setting " + text::quote_for_message(key));
    }
  }
  if (config.policy.retry_max_secs < config.policy.retry_base_secs)
    return permanent_error("retry_max (" + std::to_string(config.policy.retry_max_secs) +
                           ") must not be less than retry_base (" +
                           std::to_string(config.policy.retry_base_secs) + ")");
  const channels::DriverContext context = config.driver_context();
  for (const auto& driver : config.drivers)
    if (auto checked = driver->check(context, config.runs(*driver)); !checked) return checked.error();
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

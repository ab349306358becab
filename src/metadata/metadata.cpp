#include "lnotify/metadata/metadata.h"

#include <array>
#include <charconv>

#include "lnotify/core/base64url.h"
#include "lnotify/metadata/destination_policy.h"
#include "lnotify/metadata/fetch_att.h"
#include "core/text_util.h"

namespace lnotify {
namespace {

constexpr std::string_view kFilterValuesPrefix = "/private/filters/values/";

constexpr std::array kSchema{
    // draft §11.3 preference entries, per mailbox
    MetadataEntry{"/private/notify/outband/channel", EntryScope::Mailbox, EntryRole::Preference,
                  "NONE or one CHANNEL=FORMAT offered by the server (see GETMETADATA \"\" "
                  "/private/notify/outband/channel), FORMAT WAKEUP or EXTENDED"},
    MetadataEntry{"/private/notify/outband/address", EntryScope::Mailbox, EntryRole::Preference,
                  "the destination for the mailbox's channel: an E.164 number (+15551234567) "
                  "for SMS/MMS, a SIP URI, an XMPP JID, HOST:PORT for UDP, the subscription's "
                  "https:// endpoint URL for WEBPUSH"},
    MetadataEntry{"/private/notify/outband/limit", EntryScope::Mailbox, EntryRole::Preference,
                  "size=N and/or total=N, N from 1 to 4294967295 (e.g. size=1024 total=50)"},
    MetadataEntry{"/private/notify/outband/filter", EntryScope::Mailbox, EntryRole::Preference,
                  "the name of a filter stored as /private/filters/values/<name>"},
    MetadataEntry{"/private/notify/inband/msgformat", EntryScope::Mailbox, EntryRole::Preference,
                  "an RFC 3501 fetch-att list, e.g. (UID FLAGS ENVELOPE)"},
    MetadataEntry{"/private/notify/inband/push", EntryScope::Mailbox, EntryRole::Preference,
                  "push or pull"},
    MetadataEntry{"/private/notify/event/filter", EntryScope::Mailbox, EntryRole::Preference,
                  "ALL, NEW or NONE"},
    MetadataEntry{"/private/notify/view", EntryScope::Mailbox, EntryRole::Preference,
                  "space-separated names of filters stored as /private/filters/values/<name>"},
    // draft §11.2 provision entries, on the server entry
    MetadataEntry{"/private/notify/outband/channel", EntryScope::Server, EntryRole::Provision,
                  "read-only: the channels the server offers"},
    MetadataEntry{"/private/notify/outband/credential", EntryScope::Server, EntryRole::Provision,
                  "read-only: the server's identity"},
    MetadataEntry{"/shared/notify/inband/push", EntryScope::Server, EntryRole::Provision,
                  "read-only: the events pushed inband"},
    MetadataEntry{"/private/notify/security/algorithms", EntryScope::Server, EntryRole::Provision,
                  "read-only: the payload protections the server supports"},
    MetadataEntry{"/private/notify/webpush/vapid-key", EntryScope::Server, EntryRole::Provision,
                  "read-only: the server's VAPID public key"},
    MetadataEntry{"/private/notify/webpush/status", EntryScope::Server, EntryRole::Provision,
                  "read-only: the last Web Push subscription the push service reported gone"},
    // device keys (doc/metadata.md), on the server entry
    MetadataEntry{"/private/notify/security/p256dh", EntryScope::Server, EntryRole::DeviceKey,
                  "the device's P-256 public key: 65 bytes, uncompressed point (0x04...), "
                  "base64url"},
    MetadataEntry{"/private/notify/security/auth", EntryScope::Server, EntryRole::DeviceKey,
                  "the device's 16-byte auth secret, base64url"},
    // RFC 5466 filters
    MetadataEntry{kFilterValuesPrefix, EntryScope::Server, EntryRole::FilterProgram,
                  "an IMAP SEARCH program, e.g. FROM boss UNSEEN; the filter name is letters, "
                  "digits, '.', '_' or '-'"},
};

Error refuse(std::string_view name, std::string_view what, std::string_view allowed) {
  return permanent_error(std::string(name) + ": " + std::string(what) + "; allowed: " +
                         std::string(allowed));
}

// For parsers whose own message already says what is expected.
Error refuse(std::string_view name, std::string_view what) {
  return permanent_error(std::string(name) + ": " + std::string(what));
}

bool valid_filter_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool parse_nz_number(std::string_view digits) {
  // RFC 3501: nz-number = digit-nz *DIGIT, an unsigned 32-bit number
  if (!text::all_digits(digits) || digits.front() == '0') return false;
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return ec == std::errc() && end == digits.data() + digits.size() && n <= 4294967295ULL;
}

// draft §11.3: "limit.priv" = "size=" nz-number | "total=" nz-number; both
// may be given (doc/metadata.md), separated by one space, each at most once.
bool valid_limit(std::string_view value) {
  bool seen_size = false, seen_total = false;
  while (!value.empty()) {
    size_t sp = value.find(' ');
    std::string_view item = value.substr(0, sp);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos || !parse_nz_number(item.substr(eq + 1))) return false;
    std::string_view key = item.substr(0, eq);
    bool& seen = text::iequals(key, "size") ? seen_size : seen_total;
    if ((!text::iequals(key, "size") && !text::iequals(key, "total")) || seen) return false;
    seen = true;
    if (sp == std::string_view::npos) break;
    value.remove_prefix(sp + 1);
    if (value.empty()) return false;  // trailing space
  }
  return seen_size || seen_total;
}

bool valid_filter_list(std::string_view value) {
  if (value.empty()) return false;
  while (true) {
    size_t sp = value.find(' ');
    if (!valid_filter_name(value.substr(0, sp))) return false;
    if (sp == std::string_view::npos) return true;
    value.remove_prefix(sp + 1);
  }
}

// host in a space-separated list of exact host names (case-insensitive).
bool host_in_list(std::string_view list, std::string_view host) {
  while (!(list = text::trim(list)).empty()) {
    size_t end = list.find_first_of(" \t,");
    if (text::iequals(list.substr(0, end), host)) return true;
    list = end == std::string_view::npos ? std::string_view{} : list.substr(end + 1);
  }
  return false;
}

Result<void> check_channel(std::string_view name, std::string_view value, const MetadataEntry& e,
                           const MetadataWriteContext& context) {
  auto choice = parse_channel_preference(value);
  if (!choice) return refuse(name, choice.error().message);
  if (!choice->has_value()) return {};
  auto offered = parse_offered_channels(context.offered_channels);
  if (offered) {
    for (const auto& o : *offered)
      if (o.channel == (*choice)->channel && o.format == (*choice)->format) return {};
  }
  std::string offer = context.offered_channels.empty() ? "NONE" : context.offered_channels;
  return refuse(name,
                std::string(channel_name((*choice)->channel)) + "=" +
                    std::string(format_name((*choice)->format)) +
                    " is not offered by this server (it offers: " + offer + ")",
                e.allowed);
}

// A UDP destination, or the host of a SIP URI, chosen by a client must lie
// inside the administrator's allow-list: the dispatcher would refuse it
// anyway, and refusing it here tells the client why at once.
Result<void> check_destination(std::string_view name, std::string_view value,
                               const MetadataWriteContext& context) {
  std::string host;
  if (auto udp = parse_udp_address(value))
    host = udp->host;
  else if (auto sip = parse_sip_address(value))
    host = sip->host;
  else
    return {};
  auto policy = DestinationPolicy::parse(context.allowed_destinations);
  if (policy && policy->allows_host(host)) return {};
  return refuse(name, text::quote_for_message(host) +
                          " is not an allowed destination on this server (allowed: " +
                          (context.allowed_destinations.empty() ? std::string("none")
                                                                 : context.allowed_destinations) +
                          ")");
}

// A Web Push endpoint: its host must be allowed like any destination, and
// plain http only for the hosts the administrator lists (TLS is what keeps
// the VAPID token and the subscription's URL from onlookers).
Result<void> check_webpush_endpoint(std::string_view name, std::string_view value,
                                    const MetadataWriteContext& context) {
  auto endpoint = parse_webpush_endpoint(value);
  if (!endpoint) return {};
  if (!endpoint->https && !host_in_list(context.webpush_http_hosts, endpoint->host))
    return refuse(name, "plain http:// is not allowed for " +
                            text::quote_for_message(endpoint->host) +
                            " on this server (use https://; http is allowed for: " +
                            (context.webpush_http_hosts.empty() ? std::string("no host")
                                                                : context.webpush_http_hosts) +
                            ")");
  auto policy = DestinationPolicy::parse(context.allowed_destinations);
  if (policy && policy->allows_host(endpoint->host)) return {};
  return refuse(name, text::quote_for_message(endpoint->host) +
                          " is not an allowed destination on this server (allowed: " +
                          (context.allowed_destinations.empty() ? std::string("none")
                                                                 : context.allowed_destinations) +
                          ")");
}

Result<void> check_address(std::string_view name, std::string_view value, const MetadataEntry& e,
                           const MetadataWriteContext& context) {
  if (!context.current_channel || *context.current_channel == ChannelKind::Udp ||
      *context.current_channel == ChannelKind::Sip) {
    if (auto allowed = check_destination(name, value, context); !allowed) return allowed;
  }
  if (!context.current_channel || *context.current_channel == ChannelKind::WebPush) {
    if (auto allowed = check_webpush_endpoint(name, value, context); !allowed) return allowed;
  }
  if (context.current_channel) {
    auto valid = validate_address(*context.current_channel, value);
    if (!valid) return refuse(name, valid.error().message);
    return {};
  }
  // No channel chosen yet: any channel's address syntax will do; the
  // channel chosen later is checked against it at delivery.
  for (auto kind : {ChannelKind::Sms, ChannelKind::Sip, ChannelKind::Xmpp, ChannelKind::Udp,
                    ChannelKind::WebPush})
    if (validate_address(kind, value)) return {};
  return refuse(name, text::quote_for_message(value) + " is no channel's address", e.allowed);
}

Result<void> check_device_key(std::string_view name, std::string_view value,
                              const MetadataEntry& e) {
  auto bytes = base64url_decode(value);
  if (!bytes) return refuse(name, bytes.error().message, e.allowed);
  bool p256dh = name.ends_with("p256dh");
  if (p256dh && (bytes->size() != 65 || (*bytes)[0] != '\x04'))
    return refuse(name, "the key is " + std::to_string(bytes->size()) +
                            " bytes, not a 65-byte uncompressed point", e.allowed);
  if (!p256dh && bytes->size() != 16)
    return refuse(name, "the secret is " + std::to_string(bytes->size()) + " bytes, not 16",
                  e.allowed);
  return {};
}

Result<void> check_value(const MetadataEntry& e, std::string_view name, std::string_view value,
                         const MetadataWriteContext& context) {
  const std::string quoted = text::quote_for_message(value);
  if (e.role == EntryRole::DeviceKey) return check_device_key(name, value, e);
  if (e.role == EntryRole::FilterProgram) {
    // the program itself is checked by Dovecot's search parser in the glue
    if (text::trim(value).empty()) return refuse(name, "the search program is empty", e.allowed);
    return {};
  }
  const std::string_view entry = e.name;
  if (entry == "/private/notify/outband/channel") return check_channel(name, value, e, context);
  if (entry == "/private/notify/outband/address") return check_address(name, value, e, context);
  if (entry == "/private/notify/outband/limit") {
    if (valid_limit(value)) return {};
    return refuse(name, quoted + " is not a limit", e.allowed);
  }
  if (entry == "/private/notify/outband/filter") {
    if (valid_filter_name(value)) return {};
    return refuse(name, quoted + " is not a filter name", e.allowed);
  }
  if (entry == "/private/notify/view") {
    if (valid_filter_list(value)) return {};
    return refuse(name, quoted + " is not a list of filter names", e.allowed);
  }
  if (entry == "/private/notify/inband/msgformat") {
    auto parsed = parse_fetch_att_list(value);
    if (parsed) return {};
    return refuse(name, parsed.error().message);
  }
  if (entry == "/private/notify/inband/push") {
    if (text::iequals(value, "push") || text::iequals(value, "pull")) return {};
    return refuse(name, quoted + " is neither push nor pull", e.allowed);
  }
  if (entry == "/private/notify/event/filter") {
    if (text::iequals(value, "ALL") || text::iequals(value, "NEW") || text::iequals(value, "NONE"))
      return {};
    return refuse(name, quoted + " is not an event filter", e.allowed);
  }
  return permanent_error(std::string(name) + ": no validator (internal error)");
}

}  // namespace

std::span<const MetadataEntry> metadata_schema() { return kSchema; }

bool is_lnotify_entry_name(std::string_view name) {
  auto under = [&](std::string_view tree) {
    return name.size() >= tree.size() && text::iequals(name.substr(0, tree.size()), tree);
  };
  return under("/private/notify/") || under("/shared/notify/") || under("/private/filters/") ||
         text::iequals(name, "/private/notify") || text::iequals(name, "/shared/notify");
}

const MetadataEntry* find_metadata_entry(EntryScope scope, std::string_view name) {
  for (const auto& e : kSchema) {
    if (e.scope != scope) continue;
    if (e.name.ends_with('/')) {
      if (name.size() > e.name.size() && text::iequals(name.substr(0, e.name.size()), e.name))
        return &e;
    } else if (text::iequals(name, e.name)) {
      return &e;
    }
  }
  return nullptr;
}

Result<void> check_metadata_write(EntryScope scope, std::string_view name,
                                  std::optional<std::string_view> value,
                                  const MetadataWriteContext& context) {
  const MetadataEntry* e = find_metadata_entry(scope, name);
  if (e == nullptr) {
    // RFC 5466 filter descriptions are free text next to the values
    constexpr std::string_view kDescriptions = "/private/filters/descriptions/";
    if (scope == EntryScope::Server && name.size() > kDescriptions.size() &&
        text::iequals(name.substr(0, kDescriptions.size()), kDescriptions))
      return {};
    std::string known;
    for (const auto& k : kSchema)
      if (k.scope == scope && k.role != EntryRole::Provision) known += " " + std::string(k.name);
    return permanent_error(std::string(name) + " is not an lnotify entry on " +
                           (scope == EntryScope::Server ? "the server (\"\")" : "a mailbox") +
                           "; writable entries there:" + known);
  }
  if (e->role == EntryRole::Provision)
    return permanent_error(std::string(name) +
                           " is provided by the server and cannot be changed by a client");
  if (e->role == EntryRole::FilterProgram &&
      !valid_filter_name(name.substr(kFilterValuesPrefix.size())))
    return refuse(name, "invalid filter name", e->allowed);
  if (!value) return {};  // removing a preference is always allowed
  return check_value(*e, name, *value, context);
}

Result<std::vector<ChannelChoice>> parse_offered_channels(std::string_view value) {
  // draft §11.2: "channel.priv" = "NONE" *(SP channel "=" format)
  std::vector<ChannelChoice> offered;
  bool first = true;
  while (!value.empty()) {
    size_t sp = value.find(' ');
    std::string_view item = value.substr(0, sp);
    value = sp == std::string_view::npos ? std::string_view{} : value.substr(sp + 1);
    if (first && text::iequals(item, "NONE")) {
      first = false;
      continue;
    }
    first = false;
    auto choice = parse_channel_preference(item);
    if (!choice || !choice->has_value())
      return permanent_error("invalid channel offer " + text::quote_for_message(item));
    offered.push_back(**choice);
  }
  return offered;
}

std::string offered_channels_value(const std::vector<ChannelKind>& channels,
                                   bool (*delivers)(const void* context, ChannelKind,
                                                    PayloadFormat),
                                   const void* context) {
  std::string value = "NONE";
  for (ChannelKind kind : channels)
    for (PayloadFormat format : {PayloadFormat::Wakeup, PayloadFormat::Extended})
      if (delivers == nullptr || delivers(context, kind, format))
        value += " " + std::string(channel_name(kind)) + "=" + std::string(format_name(format));
  return value;
}

std::string offered_channels_value(const std::vector<ChannelKind>& channels) {
  return offered_channels_value(channels, nullptr, nullptr);
}

Result<void> check_webpush_subscription(std::string_view endpoint, std::string_view p256dh,
                                        std::string_view auth,
                                        const MetadataWriteContext& context) {
  if (auto valid = validate_address(ChannelKind::WebPush, endpoint); !valid)
    return refuse("endpoint", valid.error().message);
  if (auto allowed = check_webpush_endpoint("endpoint", endpoint, context); !allowed)
    return allowed;
  const MetadataEntry keys{"", EntryScope::Server, EntryRole::DeviceKey,
                           "p256dh: a 65-byte uncompressed P-256 point, auth: 16 bytes, "
                           "both base64url (RFC 8291)"};
  if (auto valid = check_device_key("p256dh", p256dh, keys); !valid) return valid;
  if (auto valid = check_device_key("auth", auth, keys); !valid) return valid;
  return {};
}

}  // namespace lnotify

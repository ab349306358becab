#include "lnotify/preferences.h"

#include <array>
#include <charconv>
#include <utility>

#include "text_util.h"

namespace lnotify {
namespace {

constexpr std::array<std::pair<ChannelKind, std::string_view>, 6> kChannelNames{{
    {ChannelKind::Sms, "SMS"},
    {ChannelKind::Mms, "MMS"},
    {ChannelKind::Sip, "SIP"},
    {ChannelKind::Xmpp, "XMPP"},
    {ChannelKind::Udp, "UDP"},
    {ChannelKind::WebPush, "WEBPUSH"},
}};

constexpr std::string_view kChannelSyntax =
    "expected NONE or CHANNEL=FORMAT, CHANNEL one of SMS MMS SIP XMPP UDP WEBPUSH, "
    "FORMAT one of WAKEUP EXTENDED (e.g. UDP=WAKEUP)";

std::optional<PayloadFormat> format_from_name(std::string_view name) {
  if (text::iequals(name, "WAKEUP")) return PayloadFormat::Wakeup;
  if (text::iequals(name, "EXTENDED")) return PayloadFormat::Extended;
  return std::nullopt;
}

bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-';
    if (!ok) return false;
  }
  return host.front() != '.' && host.front() != '-';
}

bool valid_ipv6_literal(std::string_view host) {
  if (host.empty() || host.size() > 45) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') ||
              c == ':' || c == '.';
    if (!ok) return false;
  }
  return host.find(':') != std::string_view::npos;
}

// E.164: '+' and up to 15 digits, the first not 0 (ITU-T E.164 §6).
bool valid_e164(std::string_view v) {
  if (v.size() < 3 || v.size() > 16 || v.front() != '+') return false;
  v.remove_prefix(1);
  return text::all_digits(v) && v.front() != '0';
}

}  // namespace

std::string_view channel_name(ChannelKind kind) {
  for (const auto& [k, name] : kChannelNames)
    if (k == kind) return name;
  return "?";
}

std::string_view format_name(PayloadFormat format) {
  return format == PayloadFormat::Wakeup ? "WAKEUP" : "EXTENDED";
}

std::optional<ChannelKind> channel_from_name(std::string_view name) {
  for (const auto& [k, n] : kChannelNames)
    if (text::iequals(name, n)) return k;
  return std::nullopt;
}

Result<std::optional<ChannelChoice>> parse_channel_preference(std::string_view value) {
  // Draft §11.3 (preference): channel.priv = "NONE" / (channel "=" format),
  // with the draft's quoted strings matched case-insensitively.
  if (text::iequals(value, "NONE")) return std::optional<ChannelChoice>{};
  size_t eq = value.find('=');
  if (eq == std::string_view::npos)
    return permanent_error("invalid channel " + text::quote_for_message(value) + ": " +
                           std::string(kChannelSyntax));
  auto channel = channel_from_name(value.substr(0, eq));
  if (!channel)
    return permanent_error("unknown channel " + text::quote_for_message(value.substr(0, eq)) +
                           ": " + std::string(kChannelSyntax));
  auto format = format_from_name(value.substr(eq + 1));
  if (!format)
    return permanent_error("unknown format " + text::quote_for_message(value.substr(eq + 1)) +
                           ": " + std::string(kChannelSyntax));
  return std::optional<ChannelChoice>{ChannelChoice{*channel, *format}};
}

Result<UdpAddress> parse_udp_address(std::string_view value) {
  const std::string expected = ": expected HOST:PORT, e.g. 192.0.2.7:2948 or [2001:db8::7]:2948";
  std::string_view host, port;
  if (!value.empty() && value.front() == '[') {
    size_t close = value.find(']');
    if (close == std::string_view::npos || close + 1 >= value.size() || value[close + 1] != ':')
      return permanent_error("invalid UDP address " + text::quote_for_message(value) + expected);
    host = value.substr(1, close - 1);
    port = value.substr(close + 2);
    if (!valid_ipv6_literal(host))
      return permanent_error("invalid IPv6 literal in UDP address " +
                             text::quote_for_message(value) + expected);
  } else {
    size_t colon = value.rfind(':');
    if (colon == std::string_view::npos)
      return permanent_error("invalid UDP address " + text::quote_for_message(value) + expected);
    host = value.substr(0, colon);
    port = value.substr(colon + 1);
    if (!valid_host_name(host))
      return permanent_error("invalid host in UDP address " + text::quote_for_message(value) +
                             expected);
  }
  unsigned number = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (!text::all_digits(port) || ec != std::errc() || end != port.data() + port.size() ||
      number == 0 || number > 65535)
    return permanent_error("invalid port in UDP address " + text::quote_for_message(value) +
                           ": the port must be a number from 1 to 65535");
  return UdpAddress{std::string(host), static_cast<uint16_t>(number)};
}

Result<void> validate_address(ChannelKind channel, std::string_view value) {
  switch (channel) {
    case ChannelKind::Udp: {
      auto parsed = parse_udp_address(value);
      if (!parsed) return parsed.error();
      return {};
    }
    case ChannelKind::Sms:
    case ChannelKind::Mms:
      if (valid_e164(value)) return {};
      return permanent_error("invalid phone number " + text::quote_for_message(value) +
                             ": expected an E.164 number such as +15551234567");
    case ChannelKind::Sip:
      if ((value.starts_with("sip:") && value.size() > 4) ||
          (value.starts_with("sips:") && value.size() > 5))
        return {};
      return permanent_error("invalid SIP address " + text::quote_for_message(value) +
                             ": expected a SIP URI such as sip:alice@example.org");
    case ChannelKind::Xmpp: {
      size_t at = value.find('@');
      if (at != std::string_view::npos && at > 0 && at + 1 < value.size()) return {};
      return permanent_error("invalid XMPP address " + text::quote_for_message(value) +
                             ": expected a JID such as alice@example.org");
    }
    case ChannelKind::WebPush:
      if (value.starts_with("https://") && value.size() > 8) return {};
      return permanent_error("invalid Web Push endpoint " + text::quote_for_message(value) +
                             ": expected an https:// URL");
  }
  return permanent_error("unknown channel");
}

}  // namespace lnotify

#include "lnotify/metadata/preferences.h"

#include <array>
#include <cctype>
#include <charconv>
#include <utility>

#include "core/text_util.h"
#include "lnotify/metadata/deltachat.h"

namespace lnotify {
namespace {

constexpr std::array<std::pair<ChannelKind, std::string_view>, 8> kChannelNames{{
    {ChannelKind::Sms, "SMS"},
    {ChannelKind::Mms, "MMS"},
    {ChannelKind::Sip, "SIP"},
    {ChannelKind::Xmpp, "XMPP"},
    {ChannelKind::Udp, "UDP"},
    {ChannelKind::WebPush, "WEBPUSH"},
    {ChannelKind::Http, "HTTP"},
    {ChannelKind::DeltaChat, "DELTACHAT"},
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

bool valid_ipv4_literal(std::string_view host) {
  int parts = 0;
  while (true) {
    size_t dot = host.find('.');
    std::string_view part = host.substr(0, dot);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (!text::all_digits(part) || part.size() > 3 || ec != std::errc() || value > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    host.remove_prefix(dot + 1);
  }
  return parts == 4;
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Every character is alphanumeric, in extra, or an RFC 3986 "%" HEX HEX.
bool only_chars(std::string_view v, std::string_view extra) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (is_alnum(v[i]) || extra.find(v[i]) != std::string_view::npos) continue;
    if (v[i] == '%' && i + 2 < v.size() && is_hex(v[i + 1]) && is_hex(v[i + 2])) {
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

// RFC 3261 §25.1: hostport = host [ ":" port ], host = hostname / IPv4address
// / IPv6reference.
bool valid_sip_hostport(std::string_view v) {
  std::string_view host = v, port;
  if (!v.empty() && v.front() == '[') {
    size_t close = v.find(']');
    if (close == std::string_view::npos) return false;
    host = v.substr(1, close - 1);
    if (!valid_ipv6_literal(host)) return false;
    if (close + 1 < v.size()) {
      if (v[close + 1] != ':') return false;
      port = v.substr(close + 2);
      if (port.empty()) return false;
    }
  } else {
    size_t colon = v.find(':');
    if (colon != std::string_view::npos) {
      host = v.substr(0, colon);
      port = v.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (!valid_host_name(host) && !valid_ipv4_literal(host)) return false;
  }
  if (port.empty()) return true;
  unsigned number = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  return text::all_digits(port) && ec == std::errc() && number >= 1 && number <= 65535;
}

// A SIP URI that names a user, usable as a Request-URI (RFC 3261 §19.1.1):
//   ("sip:" / "sips:") user "@" hostport *( ";" pname [ "=" pvalue ] )
// user = 1*( unreserved / escaped / user-unreserved ); no password (RFC 3261
// §19.1.1: "NOT RECOMMENDED") and no "?headers", which a Request-URI must
// not carry.
bool valid_sip_uri(std::string_view v) {
  constexpr std::string_view kUserExtra = "-_.!~*'()&=+$,;?/";
  constexpr std::string_view kParamExtra = "-_.!~*'()[]/:&+$";
  if (v.size() > 1024) return false;
  size_t colon = v.find(':');
  if (colon == std::string_view::npos ||
      !(text::iequals(v.substr(0, colon), "sip") || text::iequals(v.substr(0, colon), "sips")))
    return false;
  v.remove_prefix(colon + 1);
  size_t at = v.find('@');
  if (at == std::string_view::npos || at == 0 || !only_chars(v.substr(0, at), kUserExtra))
    return false;
  v.remove_prefix(at + 1);
  size_t semi = v.find(';');
  if (!valid_sip_hostport(v.substr(0, semi))) return false;
  while (semi != std::string_view::npos) {
    v.remove_prefix(semi + 1);
    semi = v.find(';');
    std::string_view param = v.substr(0, semi);
    size_t eq = param.find('=');
    std::string_view name = param.substr(0, eq);
    if (name.empty() || !only_chars(name, kParamExtra)) return false;
    if (eq != std::string_view::npos &&
        (param.size() == eq + 1 || !only_chars(param.substr(eq + 1), kParamExtra)))
      return false;
  }
  return true;
}

// RFC 7622 §3.1: jid = [ localpart "@" ] domainpart [ "/" resourcepart ],
// each part 1 to 1023 bytes. lnotify notifies a person, so the localpart is
// required. localpart excludes " & ' / : < > @ (§3.3.1) and, like the
// domainpart, spaces and control characters; the domainpart is a host name
// (UTF-8 labels allowed), an IPv4 or an [IPv6] literal; the resourcepart
// excludes only control characters.
bool valid_jid(std::string_view v) {
  auto controls_free = [](std::string_view part, bool spaces_ok) {
    for (unsigned char c : part)
      if (c < 0x20 || c == 0x7F || (!spaces_ok && c == ' ')) return false;
    return true;
  };
  size_t at = v.find('@');
  if (at == std::string_view::npos) return false;
  std::string_view local = v.substr(0, at);
  std::string_view rest = v.substr(at + 1);
  size_t slash = rest.find('/');
  std::string_view domain = rest.substr(0, slash);
  if (local.empty() || local.size() > 1023 || !controls_free(local, false) ||
      local.find_first_of("\"&'/:<>@") != std::string_view::npos)
    return false;
  if (domain.empty() || domain.size() > 1023) return false;
  if (domain.front() == '[') {
    if (domain.back() != ']' || !valid_ipv6_literal(domain.substr(1, domain.size() - 2)))
      return false;
  } else {
    for (unsigned char c : domain) {
      bool ok = is_alnum(static_cast<char>(c)) || c == '-' || c == '.' || c >= 0x80;
      if (!ok) return false;
    }
    if (domain.front() == '.' || domain.front() == '-') return false;
  }
  if (slash != std::string_view::npos) {
    std::string_view resource = rest.substr(slash + 1);
    if (resource.empty() || resource.size() > 1023 || !controls_free(resource, true)) return false;
  }
  return true;
}

constexpr std::string_view kEndpointSyntax =
    ": expected the subscription's endpoint, an https:// URL such as "
    "https://push.example.net/send/abc123";

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
  if (*channel == ChannelKind::Http)
    return permanent_error("HTTP is not a channel users choose: it carries the server's "
                           "own server-to-server notifications (" + std::string(kChannelSyntax) +
                           ")");
  if (*channel == ChannelKind::DeltaChat)
    return permanent_error("DELTACHAT is not chosen here: a Delta Chat client stores its device "
                           "token as /private/devicetoken on INBOX (" +
                           std::string(kChannelSyntax) + ")");
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

Result<SipAddress> parse_sip_address(std::string_view value) {
  if (auto valid = validate_address(ChannelKind::Sip, value); !valid) return valid.error();
  // valid_sip_uri() has checked every part; this only cuts them out.
  SipAddress address;
  size_t colon = value.find(':');
  address.secure = colon == 4;
  std::string_view rest = value.substr(colon + 1);
  size_t at = rest.find('@');
  address.user = std::string(rest.substr(0, at));
  rest.remove_prefix(at + 1);
  size_t semi = rest.find(';');
  std::string_view hostport = rest.substr(0, semi);
  std::string_view params = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi);
  std::string_view port;
  if (hostport.front() == '[') {
    size_t close = hostport.find(']');
    address.host = std::string(hostport.substr(1, close - 1));
    if (close + 1 < hostport.size()) port = hostport.substr(close + 2);
  } else {
    size_t c = hostport.find(':');
    address.host = std::string(hostport.substr(0, c));
    if (c != std::string_view::npos) port = hostport.substr(c + 1);
  }
  if (!port.empty()) {
    unsigned number = 0;
    std::from_chars(port.data(), port.data() + port.size(), number);
    address.port = static_cast<uint16_t>(number);
  }
  while (!params.empty()) {
    params.remove_prefix(1);  // the ';'
    size_t next = params.find(';');
    std::string_view param = params.substr(0, next);
    params = next == std::string_view::npos ? std::string_view{} : params.substr(next);
    size_t eq = param.find('=');
    if (eq != std::string_view::npos && text::iequals(param.substr(0, eq), "transport")) {
      address.transport.clear();
      for (char c : param.substr(eq + 1))
        address.transport += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
  }
  return address;
}

Result<WebPushEndpoint> parse_webpush_endpoint(std::string_view value) {
  // RFC 3986: scheme "://" authority path-abempty [ "?" query ]; lnotify
  // takes no userinfo (a push service has no use for it, and it would be a
  // credential in METADATA) and no fragment (never sent over HTTP).
  auto invalid = [&](std::string_view why) {
    return permanent_error("invalid Web Push endpoint " + text::quote_for_message(value) + " (" +
                           std::string(why) + ")" + std::string(kEndpointSyntax));
  };
  // UnifiedPush server specification: "the endpoint ... MUST be at most
  // 1000 bytes" (kMaxWebPushEndpoint), so a distributor's URL always fits.
  if (value.size() > kMaxWebPushEndpoint)
    return invalid("longer than " + std::to_string(kMaxWebPushEndpoint) +
                   " bytes, the UnifiedPush limit");
  WebPushEndpoint endpoint;
  std::string_view rest;
  if (value.size() > 8 && text::iequals(value.substr(0, 8), "https://")) {
    rest = value.substr(8);
  } else if (value.size() > 7 && text::iequals(value.substr(0, 7), "http://")) {
    endpoint.https = false;
    rest = value.substr(7);
  } else {
    return invalid("not an http(s) URL");
  }
  size_t path_at = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_at);
  std::string_view path = path_at == std::string_view::npos ? "" : rest.substr(path_at);
  if (authority.find('@') != std::string_view::npos) return invalid("user information in the URL");
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid("unclosed IPv6 literal");
    endpoint.host = std::string(authority.substr(1, close - 1));
    if (!valid_ipv6_literal(endpoint.host)) return invalid("bad IPv6 literal");
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return invalid("bad host");
      port = authority.substr(close + 2);
      if (port.empty()) return invalid("empty port");
    }
  } else {
    size_t colon = authority.find(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return invalid("empty port");
    }
    if (!valid_host_name(endpoint.host) && !valid_ipv4_literal(endpoint.host))
      return invalid("bad host");
  }
  if (!port.empty()) {
    unsigned number = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (!text::all_digits(port) || ec != std::errc() || number == 0 || number > 65535)
      return invalid("the port must be a number from 1 to 65535");
    endpoint.port = static_cast<uint16_t>(number);
  }
  if (path.find('#') != std::string_view::npos) return invalid("a fragment");
  if (!only_chars(path, "-._~!$&'()*+,;=:@/?")) return invalid("characters a URL does not allow");
  for (char& c : endpoint.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  endpoint.origin = std::string(endpoint.https ? "https://" : "http://") +
                    (endpoint.host.find(':') != std::string::npos ? "[" + endpoint.host + "]"
                                                                   : endpoint.host) +
                    // RFC 6454 §6.2: the serialised origin leaves out the default port
                    (endpoint.port != 0 && endpoint.port != (endpoint.https ? 443 : 80)
                         ? ":" + std::to_string(endpoint.port)
                         : "");
  return endpoint;
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
      if (valid_sip_uri(value)) return {};
      return permanent_error("invalid SIP address " + text::quote_for_message(value) +
                             ": expected a SIP URI such as sip:alice@example.org "
                             "(user@host[:port], optional ;parameters, no ?headers)");
    case ChannelKind::Xmpp:
      if (valid_jid(value)) return {};
      return permanent_error("invalid XMPP address " + text::quote_for_message(value) +
                             ": expected a JID such as alice@example.org or "
                             "alice@example.org/phone");
    case ChannelKind::WebPush: {
      auto parsed = parse_webpush_endpoint(value);
      if (!parsed) return parsed.error();
      return {};
    }
    case ChannelKind::DeltaChat:
      // The device token itself (opaque to the server).
      return deltachat::validate_token(value);
    case ChannelKind::Http:
      // The name of an s2s_target in the dispatcher's configuration.
      if (!value.empty() && value.size() <= 64 && only_chars(value, "-_.")) return {};
      return permanent_error("invalid server-to-server target name " +
                             text::quote_for_message(value) +
                             ": expected letters, digits, '-', '_' or '.'");
  }
  return permanent_error("unknown channel");
}

}  // namespace lnotify

// Client preference entries (draft §11.3) as stored in IMAP METADATA, and the
// parsers that turn their values into typed preferences.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify {

// Draft §11.2: channel = "SMS" / "MMS" / "SIP" / "XMPP" / "UDP"; WEBPUSH is
// lnotify's extension (doc/metadata.md). HTTP carries only server-to-server
// requests to the administrator's targets (draft §14): no user chooses it.
// DELTACHAT wakes Delta Chat clients through their notification proxy
// (deltachat.h); its address is a device token from /private/devicetoken.
enum class ChannelKind { Sms, Mms, Sip, Xmpp, Udp, WebPush, Http, DeltaChat };
// Draft §11.2: format = "WAKEUP" / "EXTENDED".
enum class PayloadFormat { Wakeup, Extended };

std::string_view channel_name(ChannelKind kind);
std::string_view format_name(PayloadFormat format);
std::optional<ChannelKind> channel_from_name(std::string_view name);

// The value of /private/notify/outband/channel on a mailbox: "NONE" or one
// channel=format pair. An empty optional means NONE (no outband notification).
struct ChannelChoice {
  ChannelKind channel;
  PayloadFormat format;
};
Result<std::optional<ChannelChoice>> parse_channel_preference(std::string_view value);

// A UDP destination "host:port" (IPv4 literal, [IPv6] literal or host name).
struct UdpAddress {
  std::string host;
  uint16_t port = 0;
};
Result<UdpAddress> parse_udp_address(std::string_view value);

// A SIP destination, a URI that names a user (RFC 3261 §19.1.1), split for
// sending. Only URIs validate_address() accepts parse.
struct SipAddress {
  bool secure = false;    // sips:
  std::string user;       // as written, escapes kept
  std::string host;       // an IPv6 literal without its brackets
  uint16_t port = 0;      // 0: none given (RFC 3261 §19.1.2: 5060, 5061 for sips)
  std::string transport;  // the ;transport= parameter in lower case, or empty
};
Result<SipAddress> parse_sip_address(std::string_view value);
// A Web Push subscription's endpoint (RFC 8030 §5): an absolute http(s) URL
// without user information or fragment. Plain http is syntax here only:
// whether a host may be reached without TLS is the administrator's choice
// (webpush_allow_http_hosts), checked by SETMETADATA and the dispatcher.
struct WebPushEndpoint {
  bool https = true;
  std::string host;  // a name, an IPv4 literal or an IPv6 literal (no brackets)
  uint16_t port = 0;  // as written; 0: the scheme's default
  std::string origin;  // scheme://host[:port] as written, lowercased: the VAPID audience
};
inline constexpr size_t kMaxWebPushEndpoint = 1000;  // bytes (UnifiedPush)
Result<WebPushEndpoint> parse_webpush_endpoint(std::string_view value);

// Validates /private/notify/outband/address for the given channel.
Result<void> validate_address(ChannelKind channel, std::string_view value);

}  // namespace lnotify

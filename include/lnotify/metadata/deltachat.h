// Delta Chat push (chatmail's contract, doc/channels/deltachat.md): what the mail
// plugin and the dispatcher share about a device token.
//
// A Delta Chat client stores its device token with
//   SETMETADATA "INBOX" (/private/devicetoken "openpgp:...")
// once per session: an opaque string (the APNs/FCM/UnifiedPush token,
// padded and OpenPGP-encrypted to the notification proxy), byte-identical
// when the same device registers again. The server keeps one token per
// device and, on a new message in INBOX not sent by the user, POSTs each
// token as the raw request body to the notification proxy.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lnotify/core/result.h"

namespace lnotify::deltachat {

// chatmail/core refuses to send a longer token; so do we.
inline constexpr size_t kMaxTokenBytes = 4096;
// A token not set again for this long is forgotten (chatmail's relay:
// 90 days).
inline constexpr int64_t kTokenLifetimeSecs = 90 * 86400;
// Devices kept per account; a further one replaces the least recently set.
inline constexpr size_t kMaxDevices = 32;
// The proxy is retried with backoff for this long, then the wake-up is
// given up (chatmail's relay: 5 hours).
inline constexpr int64_t kGiveUpSecs = 5 * 3600;
inline constexpr std::string_view kDefaultNotifierUrl = "https://notifications.delta.chat/notify";

// 1 to kMaxTokenBytes bytes of printable ASCII (0x20-0x7e): what fits an
// IMAP quoted string and what the client sends.
Result<void> validate_token(std::string_view token);

// The device's short name: FNV-1a 64 of the token in hex (a name, not a
// secret: the token is opaque and only the account's own devices share a
// namespace).
// Names the token in METADATA keys, log lines and doveadm lnotify list, so
// the token itself (a credential for the proxy) is never logged.
std::string token_id(std::string_view token);

// What the dispatcher shows instead of the token: "deltachat:<token_id>".
std::string token_label(std::string_view token);

// The dispatcher's queue per device: "deltachat:<token_id>:<account>";
// queue_key_account() gives the account back (empty view for other keys).
std::string queue_key(std::string_view token, std::string_view account);
std::string_view queue_key_account(std::string_view key);

// Tokens the proxy answered 410 for are recorded in the spool's status
// directory (webpush_status.h) under the account "deltachat:<account>",
// with token_label() as the endpoint: the mail plugin reads them and
// removes the token from the user's METADATA.
std::string gone_key(std::string_view account);

// The notifier URL: https:// anywhere, plain http:// only to a loopback
// host (a local notifier, tests). Returns the host.
Result<std::string> check_notifier_url(std::string_view url);

}  // namespace lnotify::deltachat

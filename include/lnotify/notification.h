// What the mail plugin hands to the dispatcher: the facts of one outband
// notification, and its on-disk record form in the spool.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lnotify/preferences.h"
#include "lnotify/result.h"

namespace lnotify {

struct NotificationRequest {
  std::string user;     // Dovecot user name (for logs and per-user state)
  std::string account;  // the recipient's address, used in mailat: URIs
  std::string mailbox;  // mailbox name (UTF-8)
  std::string event;    // RFC 5423 event name, e.g. MessageNew
  uint32_t uid = 0;
  uint32_t uidvalidity = 0;
  int64_t timestamp = 0;  // when the event happened, seconds since the epoch (UTC)
  ChannelKind channel = ChannelKind::Udp;
  PayloadFormat format = PayloadFormat::Wakeup;
  std::string address;  // destination, syntax per channel
};

// Spool record: a version line, then one "key<TAB>value" line per field with
// TAB, LF, CR, NUL and backslash escaped, then "end" (so a cut-off record is
// recognised). Unknown keys are ignored so an older
// dispatcher can read a newer plugin's records.
std::string encode_request(const NotificationRequest& request);
Result<NotificationRequest> decode_request(std::string_view record);

}  // namespace lnotify

// What the mail plugin hands to the dispatcher: the facts of one outband
// notification, and its on-disk record form in the spool.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lnotify/metadata/preferences.h"
#include "lnotify/core/result.h"

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

  // Optional facts for EXTENDED payloads (draft §9.1). Empty strings and
  // zeros mean "unknown" and are left out of the payload.
  std::string sender;   // the From header value as in the message (RFC 2047 words allowed)
  std::string subject;  // the Subject header value, likewise
  std::string snippet;  // start of the body text, UTF-8
  int64_t datetime = 0;       // the message's date (Date header), seconds since the epoch
  std::string view;           // view holding the message; empty: the mailbox itself
  uint64_t sequence_id = 0;   // notification number per user and device
  uint32_t size_limit = 0;    // "limit size=N" (draft §11.3), bytes; 0: none
  uint32_t daily_limit = 0;   // "limit total=N" (draft §11.3), notifications per day; 0: none
  // The device's Web Push-style keys (/private/notify/security/p256dh and
  // .../auth), base64url as stored; both set: EXTENDED payloads are encrypted.
  std::string device_p256dh;
  std::string device_auth;
  // Set by a Sieve notify action (RFC 5435): its :message text (UTF-8) and
  // :importance, 1 (high) to 3 (low); empty and 0 for any other request.
  std::string message;
  uint8_t importance = 0;
  // The cleartext of an IMAP WEBPUSH validation push (doc/webpush.md): the
  // body is exactly this text, encrypted for the device (RFC 8291); like a
  // test it passes the ledger and the limits. Empty for any other request.
  std::string validation;

  // A reminder (DispatchPolicy::reminder_limit): the wake-up the dispatcher
  // sends again for an unanswered notification, numbered from 1; 0: not one.
  uint32_t reminder = 0;

  // An operator's test notification (doveadm lnotify test): sent whatever
  // the ledger and the limits say, so it proves the channel works.
  bool test = false;

  // Server-to-server (draft §14, doc/server-to-server.md):
  // a request for an administrator's target, whatever the user's own
  // preferences. channel is HTTP and address the target's name.
  bool s2s = false;
  // An MWI update (draft §14.4 "MWI states may be ON or OFF"): messages
  // and unseen are summed over the MWI mailboxes, ON while unseen > 0.
  bool mwi = false;
  // The mailbox status when the event was committed (s2s only).
  uint32_t messages = 0;
  uint32_t unseen = 0;

  // The account its ledger, limits and per-user state belong to.
  const std::string& owner() const { return account.empty() ? user : account; }
};

// Spool record: a version line, then one "key<TAB>value" line per field with
// TAB, LF, CR, NUL and backslash escaped, then "end" (so a cut-off record is
// recognised). Unknown keys are ignored so an older
// dispatcher can read a newer plugin's records. The optional facts are written
// only when set, and a record without them (from an older plugin) reads as
// "unknown".
std::string encode_request(const NotificationRequest& request);
Result<NotificationRequest> decode_request(std::string_view record);

}  // namespace lnotify

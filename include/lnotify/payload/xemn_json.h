// The JSON binding of the xemn payload, for channels that carry JSON (HTTP,
// Web Push, XMPP). Member names follow RFC 5423 and the xemn attributes; a
// member is present only when the fact is known:
//
//   {"event":"MessageNew",                 RFC 5423 event name
//    "mailbox":"mailat:alice@example.org", the EMN mailbox URI
//    "view":"INBOX",                       IMAP mailbox or view (xemn view)
//    "uidvalidity":1180000000,"uid":42,    the message, as in RFC 5423
//    "sequence-id":7,                      notification number per user/device
//    "sender":"Jörg <j@example.org>","subject":"…","snippet":"…",
//    "message":"…","importance":1,         a Sieve notify's :message and
//                                          :importance (RFC 5435), if any
//    "datetime":"2007-06-01T09:58:00Z",    message date (%Datetime)
//    "timestamp":"2007-06-01T10:00:00Z"}   event time (%Datetime)
//
// The wake-up is {"mailbox":…,"timestamp":…}, the two EMN attributes.
// Numbers are JSON integers; times are OMA %Datetime strings (a subset of
// RFC 3339, which RFC 5423's timestamp uses). Output is UTF-8, one line, no
// whitespace.
#pragma once

#include <string>
#include <string_view>

#include "lnotify/payload/emn.h"
#include "lnotify/payload/xemn.h"

namespace lnotify {

inline constexpr std::string_view kXemnJsonContentType = "application/vnd.lnotify.xemn+json";

std::string encode_xemn_json(const XemnFacts& facts);
std::string encode_wakeup_json(const EmnWakeup& emn);

}  // namespace lnotify

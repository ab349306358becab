// The extended notification payload of draft §9.1: an "xemn" element with the
// EMN attributes and what lets a client act on one message without a round
// trip first:
//
//   <!ATTLIST xemn
//      mailbox CDATA #REQUIRED   timestamp CDATA #IMPLIED
//      event CDATA #IMPLIED      ;event name from [MSGEVENTS]
//      view CDATA #IMPLIED       ;IMAP mailbox or view w/message
//      sequence-id CDATA #IMPLIED ;notification sequence number
//      uid CDATA #IMPLIED        sender CDATA #IMPLIED
//      datetime CDATA #IMPLIED   subject CDATA #IMPLIED >
//   <!ELEMENT xemn (#CDATA)>     ;CDATA contains optional snippet of body
//
// tests/data/xemn.dtd is that DTD in valid DTD syntax.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify {

inline constexpr std::string_view kXemnContentType = "application/vnd.lnotify.xemn+xml";

// The facts of one extended notification, already display-ready: text fields
// are UTF-8 (header values decoded, see decode_header_value). Empty strings
// and zero numbers are left out of the payload.
struct XemnFacts {
  std::string mailbox_uri;   // as in EMN: mailat: or imap:// URI
  int64_t timestamp = 0;     // when the event happened (UTC seconds)
  std::string event;         // RFC 5423 name, e.g. MessageNew
  std::string view;          // IMAP mailbox or view holding the message
  uint64_t sequence_id = 0;  // per user and device; 0 = not numbered
  uint32_t uid = 0;
  uint32_t uidvalidity = 0;  // not an xemn attribute; carried by the JSON binding
  std::string sender;        // From, as display text
  std::optional<int64_t> datetime;  // message date (Date header), UTC seconds
  std::string subject;
  std::string snippet;       // start of the body text
  // A Sieve notify action's :message and :importance (RFC 5435). The draft's
  // element text is "any text to be displayed on MUA": the message when set,
  // else the snippet. The DTD has no attribute for the importance, so only
  // the JSON binding carries it.
  std::string message;
  unsigned importance = 0;   // 1 high .. 3 low; 0: none
};

// The xemn document as UTF-8 XML, written with libxml2. Attribute order is
// the draft's: mailbox, timestamp, event, view, sequence-id, uid, sender,
// datetime, subject; the element's text is the Sieve message when there is
// one, else the snippet.
Result<std::string> encode_xemn_xml(const XemnFacts& facts);

}  // namespace lnotify

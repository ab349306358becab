// SIP messages as text (RFC 3261 §7): building the requests lnotify sends
// and parsing the responses peers send back. No network here; everything
// is plain bytes so the parser can be fuzzed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lnotify/core/result.h"

namespace lnotify::sip {

// What goes into one request. Header values are inserted as given, so the
// caller passes only values it built itself (never raw user text).
struct RequestSpec {
  std::string method;       // MESSAGE, NOTIFY
  std::string request_uri;  // sip:alice@example.org:5070;transport=tcp
  std::string to;           // To value, e.g. <sip:alice@example.org>
  std::string from;         // From value without the tag, e.g. <sip:lnotify@mail.example.org>
  std::string from_tag;
  std::string call_id;
  uint32_t cseq = 1;
  std::string via_transport;  // "UDP" or "TCP"
  std::string via_sent_by;    // host:port the response comes back to
  std::string branch;         // begins with the magic cookie z9hG4bK (RFC 3261 §8.1.1.7)
  std::vector<std::pair<std::string, std::string>> extra_headers;  // Event, Contact, ...
  std::string content_type;  // empty: no body
  std::string body;
};

// RFC 3261 §8.1.1: Request-Line, Via, Max-Forwards: 70, To, From, Call-ID,
// CSeq, then the extra headers, Content-Type and Content-Length.
std::string build_request(const RequestSpec& spec);

// RFC 3261 §8.1.1.7: "z9hG4bK" followed by text unique to this transaction.
inline constexpr std::string_view kBranchCookie = "z9hG4bK";

struct Response {
  int status = 0;  // 100..699
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // as received, unfolded
  std::string body;

  // The first value of a header by its full name or its compact form
  // (RFC 3261 §7.3.3: v Via, i Call-ID, l Content-Length, ...),
  // case-insensitive; a comma-separated list counts as several values.
  std::optional<std::string> header(std::string_view name) const;
  // The branch parameter of the topmost Via, or empty.
  std::string top_via_branch() const;
  // The method in CSeq, or empty.
  std::string cseq_method() const;
  // RFC 3261 §20.33 Retry-After in milliseconds (delta-seconds, comment
  // and parameters ignored), capped at a day; none when absent or invalid.
  std::optional<int64_t> retry_after_ms() const;
};

// A response as received over UDP or cut from a TCP stream. Anything that
// is not a well-formed SIP/2.0 response is an error saying what is wrong.
Result<Response> parse_response(std::string_view bytes);

// TCP framing (RFC 3261 §18.3): the length of the first whole message at
// the start of buffer, 0 while it is incomplete. Content-Length is
// mandatory on streams; a message without one, or with a header section
// or body above the limits, is an error (the connection is then useless).
Result<size_t> framed_message_length(std::string_view buffer);

// Upper bounds on what lnotify accepts from a peer.
inline constexpr size_t kMaxHeaderBytes = 16384;
inline constexpr size_t kMaxMessageBytes = 65535;

}  // namespace lnotify::sip

// What an HTTP SMS gateway answered, and what that means for the
// notification: accepted, worth retrying (temporary), or refused for good
// (permanent). The body comes from the network: it is parsed defensively
// and quoted into messages only in cut, escaped form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify::sms {

struct GatewayReply {
  long status = 0;             // HTTP status code
  std::string body;            // at most kMaxReplyBody bytes of it
  std::string retry_after;     // the Retry-After header's value, if any
  std::string location;        // the Location header's value, if any
};

inline constexpr size_t kMaxReplyBody = 4096;

// Kannel's sendsms (smsbox): 202 with "0: Accepted for delivery" or
// "3: Queued for later delivery" is success; 4xx (403 "Authorization failed
// for sendsms", 400 "... rejected") is permanent; 5xx (503 "Temporal
// failure, try again later.") is temporary; 2xx with another body is an
// unexpected reply, retried so that nothing is lost.
Result<void> interpret_kannel_reply(const GatewayReply& reply);

// Any other gateway (sms_gateway = template): 2xx is success, 4xx
// permanent except 408 and 429, 5xx and the rest temporary.
Result<void> interpret_generic_reply(const GatewayReply& reply);

// Retry-After in delta-seconds (RFC 9110 §10.2.3) as milliseconds, capped
// at a day; 0 when absent or in the HTTP-date form (the backoff applies).
int64_t retry_after_ms(std::string_view value);

}  // namespace lnotify::sms

// What a push service's answer means for the notification (RFC 8030 §5,
// RFC 8292 §4 and RFC 9110 for Retry-After).
//
//   2xx       accepted ("201 (Created)", RFC 8030 §5)
//   404, 410  the subscription is gone (RFC 8030 §7.3, §6.2): permanent,
//             Error.gone, nothing more is sent to this endpoint
//   413       "Payload Too Large" (RFC 8030 §7.2): Error.too_large, the
//             dispatcher sends a wake-up instead
//   429, 5xx  temporary; Retry-After (seconds or an HTTP date) is honoured
//   401, 403  the push service refused our VAPID token or key (RFC 8292
//             §4.2: 403 for a key that does not match the subscription's):
//             permanent for this notification
//   others    permanent (a request the service will not take as it is)
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "channels/webpush/http_transport.h"
#include "lnotify/core/result.h"

namespace lnotify::webpush {

// The longest wait a Retry-After may ask for; longer is cut to this (the
// notification's own expiry bounds it further).
inline constexpr int64_t kMaxRetryAfterMs = 24 * 3600 * 1000LL;

// RFC 9110 §10.2.3: Retry-After = HTTP-date / delay-seconds. Milliseconds
// from now (0 for a date in the past), or nothing for a value that is
// neither.
std::optional<int64_t> parse_retry_after(std::string_view value, int64_t now_ms);

Result<void> outcome_for_response(const HttpResponse& response, int64_t now_ms);

}  // namespace lnotify::webpush

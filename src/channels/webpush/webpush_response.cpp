#include "channels/webpush/webpush_response.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <string>

namespace lnotify::webpush {
namespace {

// Printable ASCII only, so a hostile answer cannot write lines into the log.
std::string printable(std::string_view text, size_t max = 200) {
  std::string out;
  for (char c : text.substr(0, max)) out += (c >= 0x20 && c < 0x7F) ? c : ' ';
  return out;
}

std::string describe(const HttpResponse& r) {
  std::string text = "push service answered " + std::to_string(r.status);
  if (!r.body.empty()) text += " (" + printable(r.body) + ")";
  return text;
}

// RFC 9110 §5.6.7: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT"; the obsolete
// forms (RFC 850, asctime) are accepted too, as the RFC says recipients
// MUST.
std::optional<int64_t> parse_http_date(std::string_view value) {
  static constexpr const char* kForms[] = {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
                                           "%a %b %e %H:%M:%S %Y"};
  const std::string text(value);
  for (const char* form : kForms) {
    struct tm tm {};
    const char* end = strptime(text.c_str(), form, &tm);
    if (end == nullptr || *end != '\0') continue;
    const time_t t = timegm(&tm);
    if (t == static_cast<time_t>(-1)) continue;
    return static_cast<int64_t>(t);
  }
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> parse_retry_after(std::string_view value, int64_t now_ms) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty() || value.size() > 64) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    uint64_t secs = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
    // more digits than fit: a very long wait, cut below
    if (ec == std::errc::result_out_of_range || secs > static_cast<uint64_t>(kMaxRetryAfterMs / 1000))
      return kMaxRetryAfterMs;
    return static_cast<int64_t>(secs) * 1000;
  }
  auto date = parse_http_date(value);
  if (!date) return std::nullopt;
  const int64_t at_ms = *date * 1000;
  return std::clamp<int64_t>(at_ms - now_ms, 0, kMaxRetryAfterMs);
}

Result<void> outcome_for_response(const HttpResponse& r, int64_t now_ms) {
  const long s = r.status;
  if (s >= 200 && s < 300) return {};
  if (s == 404 || s == 410) {
    Error e = permanent_error(describe(r) +
                              ": the subscription has expired or was unsubscribed; nothing more "
                              "is sent to this endpoint until the client stores a new one");
    e.gone = static_cast<int>(s);
    return e;
  }
  if (s == 413) {
    Error e = permanent_error(describe(r) + ": the payload is too large");
    e.too_large = true;
    return e;
  }
  if (s == 429 || (s >= 500 && s < 600)) {
    Error e = temporary_error(describe(r));
    if (!r.retry_after.empty()) {
      if (auto wait = parse_retry_after(r.retry_after, now_ms)) {
        e.retry_after_ms = *wait;
        e.message += "; Retry-After " + printable(r.retry_after, 64);
      } else {
        e.message += "; unusable Retry-After " + printable(r.retry_after, 64) + " ignored";
      }
    }
    return e;
  }
  if (s == 401 || s == 403)
    return permanent_error(describe(r) +
                           ": the push service refused lnotify's VAPID credentials (a "
                           "subscription made with another VAPID key, or a clock far off)");
  if (s >= 300 && s < 400)
    return permanent_error(describe(r) + ": redirects are not followed" +
                           (r.location.empty() ? "" : " (to " + printable(r.location) + ")"));
  return permanent_error(describe(r) + ": the push service refused the request");
}

}  // namespace lnotify::webpush

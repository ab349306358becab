#include "lnotify/dispatcher/rate_limit.h"

#include <algorithm>
#include <charconv>

#include "core/text_util.h"

namespace lnotify {
namespace {

bool parse_unsigned(std::string_view text, unsigned& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return text::all_digits(text) && ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<RateLimit> parse_rate_limit(std::string_view value) {
  value = text::trim(value);
  if (value == "0") return RateLimit{};
  size_t slash = value.find('/');
  RateLimit limit;
  if (slash == std::string_view::npos || !parse_unsigned(value.substr(0, slash), limit.count) ||
      !parse_unsigned(value.substr(slash + 1), limit.per_secs) || limit.count == 0 ||
      limit.count > 100000 || limit.per_secs == 0 || limit.per_secs > 86400)
    return permanent_error(
        "rate_limit must be N/S (at most N notifications per user in S seconds, N from 1 to "
        "100000, S from 1 to 86400), e.g. 30/60, or 0 for no limit");
  return limit;
}

RateLimiter::RateLimiter(RateLimit limit) : limit_(limit) {}

int64_t RateLimiter::next_allowed_ms(const std::string& key, int64_t now_ms) const {
  if (!limit_.enabled()) return now_ms;
  auto it = windows_.find(key);
  if (it == windows_.end() || it->second.times.size() < limit_.count) return now_ms;
  // The window is full: the oldest of the last N sends must leave it.
  const Window& window = it->second;
  const int64_t frees_at = window.times[window.oldest] + int64_t{limit_.per_secs} * 1000;
  return std::max(now_ms, frees_at);
}

void RateLimiter::record(const std::string& key, int64_t now_ms) {
  if (!limit_.enabled()) return;
  Window& window = windows_[key];
  if (window.times.size() < limit_.count) {
    window.times.push_back(now_ms);
    return;
  }
  window.times[window.oldest] = now_ms;
  window.oldest = (window.oldest + 1) % window.times.size();
}

void RateLimiter::forget_idle(int64_t now_ms) {
  const int64_t horizon = now_ms - int64_t{limit_.per_secs} * 1000;
  std::erase_if(windows_, [&](const auto& item) { return item.second.newest() <= horizon; });
}

}  // namespace lnotify

#include <charconv>

#include "channels/deltachat/deltachat_config.h"
#include "core/text_util.h"

namespace lnotify {
namespace {

Result<unsigned> number(std::string_view key, std::string_view value, unsigned min, unsigned max,
                        std::string_view unit) {
  unsigned n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (!text::all_digits(value) || ec != std::errc() || end != value.data() + value.size() ||
      n < min || n > max)
    return permanent_error(std::string(key) + " must be a number of " + std::string(unit) +
                           " from " + std::to_string(min) + " to " + std::to_string(max));
  return n;
}

}  // namespace

Result<bool> parse_deltachat_setting(DeltaChatConfig& config, std::string_view key,
                                     std::string_view value) {
  if (key == "deltachat_notifier_url") {
    if (auto checked = deltachat::check_notifier_url(value); !checked)
      return permanent_error("deltachat_notifier_url: " + checked.error().message);
    config.notifier_url = std::string(value);
  } else if (key == "deltachat_timeout") {
    auto secs = number(key, value, 1, 120, "seconds");
    if (!secs) return secs.error();
    config.timeout_secs = *secs;
  } else if (key == "deltachat_workers") {
    auto count = number(key, value, 1, 64, "threads");
    if (!count) return count.error();
    config.workers = *count;
  } else if (key == "deltachat_maxsmtprecipients") {
    if (!value.empty()) {
      auto count = number(key, value, 1, 1000000, "recipients");
      if (!count) return count.error();
    }
    config.max_smtp_recipients = std::string(value);
  } else {
    return false;
  }
  return true;
}

}  // namespace lnotify

#include "core/setting_value.h"

#include <charconv>

#include "core/text_util.h"

namespace lnotify {

std::optional<unsigned long long> parse_decimal(std::string_view digits) {
  unsigned long long number = 0;
  if (!text::all_digits(digits)) return std::nullopt;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return number;
}

Result<unsigned> parse_setting_number(std::string_view key, std::string_view value, unsigned min,
                                      unsigned max, std::string_view unit) {
  auto number = parse_decimal(value);
  if (!number || *number < min || *number > max)
    return permanent_error(std::string(key) + " must be a number of " + std::string(unit) +
                           " from " + std::to_string(min) + " to " + std::to_string(max));
  return static_cast<unsigned>(*number);
}

Result<bool> parse_setting_yes_no(std::string_view key, std::string_view value) {
  if (text::iequals(value, "yes")) return true;
  if (text::iequals(value, "no")) return false;
  return permanent_error(std::string(key) + " must be yes or no");
}

Result<std::string> parse_setting_path(std::string_view key, std::string_view value) {
  if (value.empty() || value.front() != '/')
    return permanent_error(std::string(key) + " must be an absolute path");
  return std::string(value);
}

}  // namespace lnotify

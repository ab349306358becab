// Values of "key = value" settings (the dispatcher's configuration file),
// each checked with an error message that names the setting.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify {

// The one parser of unsigned decimal numbers: digits only (no sign, no
// space), no overflow.
std::optional<unsigned long long> parse_decimal(std::string_view digits);

// A whole number from min to max; the setting's name and unit make the
// error message ("sip_t1_ms must be a number of milliseconds from 10 to
// 10000").
Result<unsigned> parse_setting_number(std::string_view key, std::string_view value, unsigned min,
                                      unsigned max, std::string_view unit);

// yes or no, in any case.
Result<bool> parse_setting_yes_no(std::string_view key, std::string_view value);

// An absolute path ("... must be an absolute path").
Result<std::string> parse_setting_path(std::string_view key, std::string_view value);

}  // namespace lnotify

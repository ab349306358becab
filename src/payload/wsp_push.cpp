#include "lnotify/payload/wsp_push.h"

namespace lnotify {
namespace {

constexpr uint8_t kPduTypePush = 0x06;
constexpr uint8_t kHeaderXWapApplicationId = 0x2F;

// Short-integer: a value below 128 with the high bit set.
char short_integer(uint8_t value) { return static_cast<char>(0x80 | value); }

// Content-type-value (WAP-230 §8.4.2.24). A well-known type below 128 is a
// Short-integer; a larger one (0x030A) needs the general form:
// Value-length Long-integer, i.e. 03 02 03 0A.
std::string content_type_value(uint32_t code) {
  if (code < 0x80) return std::string(1, short_integer(static_cast<uint8_t>(code)));
  std::string octets;
  for (uint32_t v = code; v != 0; v >>= 8) octets.insert(octets.begin(), static_cast<char>(v & 0xFF));
  std::string long_integer = static_cast<char>(octets.size()) + octets;  // Short-length + value
  return static_cast<char>(long_integer.size()) + long_integer;          // Value-length
}

}  // namespace

std::string encode_uintvar(uint32_t value) {
  std::string out(1, static_cast<char>(value & 0x7F));
  for (value >>= 7; value != 0; value >>= 7)
    out.insert(out.begin(), static_cast<char>(0x80 | (value & 0x7F)));
  return out;
}

std::string encode_wsp_push(const WspPush& push) {
  std::string headers = content_type_value(push.content_type);
  if (push.application_id) {
    // X-Wap-Application-Id with a well-known id as Short-integer (AF 89), or
    // as a one-octet Long-integer when it does not fit one.
    headers += short_integer(kHeaderXWapApplicationId);
    if (*push.application_id < 0x80) {
      headers += short_integer(*push.application_id);
    } else {
      headers += '\x01';
      headers += static_cast<char>(*push.application_id);
    }
  }
  std::string out;
  out += static_cast<char>(push.transaction_id);
  out += static_cast<char>(kPduTypePush);
  out += encode_uintvar(static_cast<uint32_t>(headers.size()));
  out += headers;
  out += push.body;
  return out;
}

}  // namespace lnotify

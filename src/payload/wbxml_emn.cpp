#include "lnotify/payload/wbxml_emn.h"

#include "core/utf8.h"

namespace lnotify {
namespace {

constexpr char kVersion13 = 0x03;
constexpr char kPublicIdEmn10 = 0x0D;
constexpr char kCharsetUtf8 = 0x6A;
constexpr char kEmptyStringTable = 0x00;
constexpr char kTagEmnWithAttributes = static_cast<char>(0x80 | 0x05);
constexpr char kAttrTimestamp = 0x05;
constexpr char kAttrMailbox = 0x06;
constexpr char kStrI = 0x03;
constexpr char kOpaque = static_cast<char>(0xC3);
constexpr char kEnd = 0x01;

struct MailboxPrefix {
  std::string_view prefix;
  char token;
};
// Longer prefixes first, so "https://www." wins over "https://".
constexpr MailboxPrefix kMailboxPrefixes[] = {
    {"mailat:", 0x07},      {"pop://", 0x08},   {"imap://", 0x09},
    {"https://www.", 0x0D}, {"https://", 0x0C}, {"http://www.", 0x0B},
    {"http://", 0x0A},
};

void append_inline_string(std::string& out, std::string_view text) {
  out += kStrI;
  out += text;
  out += '\0';
}

// OMA %Datetime as OPAQUE data (the rule WAP SI defines and EMN reuses): the
// 14 digits of YYYYMMDDhhmmss packed two per octet, trailing zero octets
// dropped.
std::string packed_datetime(const std::string& timestamp) {
  std::string digits;
  for (char c : timestamp)
    if (c >= '0' && c <= '9') digits += c;
  std::string octets;
  for (size_t i = 0; i + 1 < digits.size(); i += 2)
    octets += static_cast<char>(((digits[i] - '0') << 4) | (digits[i + 1] - '0'));
  while (!octets.empty() && octets.back() == '\0') octets.pop_back();
  return octets;
}

}  // namespace

std::string encode_emn_wbxml(const EmnWakeup& emn) {
  // Inline strings end at NUL; sanitizing drops control characters, NUL
  // included, and makes the text valid UTF-8 as the header promises.
  const std::string mailbox = utf8::sanitize(emn.mailbox_uri);
  std::string out{kVersion13, kPublicIdEmn10, kCharsetUtf8, kEmptyStringTable};
  out += kTagEmnWithAttributes;

  char start = kAttrMailbox;
  std::string_view rest = mailbox;
  for (const auto& p : kMailboxPrefixes) {
    if (rest.substr(0, p.prefix.size()) == p.prefix) {
      start = p.token;
      rest.remove_prefix(p.prefix.size());
      break;
    }
  }
  out += start;
  if (!rest.empty()) append_inline_string(out, rest);

  const std::string datetime = packed_datetime(emn_timestamp(emn.timestamp));
  out += kAttrTimestamp;
  out += kOpaque;
  out += static_cast<char>(datetime.size());  // mb_u_int32; at most 7 here
  out += datetime;
  out += kEnd;  // end of the attribute list; the element has no content
  return out;
}

}  // namespace lnotify

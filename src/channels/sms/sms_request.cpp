#include "channels/sms/sms_request.h"

#include <array>

#include "core/text_util.h"

namespace lnotify::sms {
namespace {

constexpr std::array<std::string_view, 11> kPlaceholders = {
    "to", "to_digits", "from", "username", "password", "text",
    "text_hex", "udh", "udh_hex", "coding", "charset"};

std::string hex(std::string_view bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// GSM 03.38: printable ASCII is in the default alphabet except these, which
// take an escape septet (extension table), and '`', which is in neither.
bool gsm_extension(char c) { return std::string_view("[\\]^{|}~").find(c) != std::string_view::npos; }
bool gsm_encodable(unsigned char c) {
  return (c >= 0x20 && c < 0x7F && c != '`') || c == '\n' || c == '\r';
}

// UTF-16 code units of valid UTF-8 (astral characters take two).
size_t utf16_units(std::string_view utf8) {
  size_t units = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) == 0x80) continue;  // continuation octet
    units += c >= 0xF0 ? 2 : 1;
  }
  return units;
}

std::string value_of(std::string_view name, const SmsConfig& config, std::string_view to,
                     std::string_view from, const SmsMessage& m) {
  if (name == "to") return percent_encode(to);
  if (name == "to_digits") return percent_encode(to.starts_with('+') ? to.substr(1) : to);
  if (name == "from") return percent_encode(from);
  if (name == "username") return percent_encode(config.username);
  if (name == "password") return percent_encode(config.password);
  if (name == "text") return percent_encode(m.data);
  if (name == "text_hex") return hex(m.data);
  if (name == "udh") return percent_encode(m.udh);
  if (name == "udh_hex") return hex(m.udh);
  if (name == "coding") return std::to_string(m.coding);
  if (name == "charset") return m.binary ? "" : "UTF-8";
  return "";
}

}  // namespace

SmsMessage text_message(std::string_view utf8) {
  SmsMessage m;
  m.data = std::string(utf8);
  m.coding = 0;
  for (unsigned char c : utf8)
    if (!gsm_encodable(c)) m.coding = 2;
  return m;
}

unsigned text_parts(const SmsMessage& m) {
  size_t units = 0;
  size_t single = 160, per_part = 153;
  if (m.coding == 2) {
    units = utf16_units(m.data);
    single = 70;
    per_part = 67;
  } else {
    for (char c : m.data) units += gsm_extension(c) ? 2 : 1;
  }
  if (units <= single) return 1;
  return static_cast<unsigned>((units + per_part - 1) / per_part);
}

std::string percent_encode(std::string_view bytes) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (unsigned char c : bytes) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

std::string kannel_request_url(const SmsConfig& config, std::string_view to,
                               std::string_view from, const SmsMessage& m) {
  std::string url = config.gateway_url;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "username=" + percent_encode(config.username);
  url += "&password=" + percent_encode(config.password);
  url += "&to=" + percent_encode(to);
  if (!from.empty()) url += "&from=" + percent_encode(from);
  if (m.binary) {
    url += "&udh=" + percent_encode(m.udh);
    url += "&coding=1";
  } else {
    url += "&charset=UTF-8";
    if (m.coding == 2) url += "&coding=2";
  }
  url += "&text=" + percent_encode(m.data);
  return url;
}

std::string template_request_url(const SmsConfig& config, std::string_view to,
                                 std::string_view from, const SmsMessage& m) {
  std::string_view t = config.template_url;
  std::string url;
  while (!t.empty()) {
    size_t open = t.find('{');
    url += t.substr(0, open);
    if (open == std::string_view::npos) break;
    size_t close = t.find('}', open);
    if (close == std::string_view::npos) break;  // validate_template_url refuses this
    url += value_of(t.substr(open + 1, close - open - 1), config, to, from, m);
    t = t.substr(close + 1);
  }
  return url;
}

Result<void> validate_template_url(std::string_view url) {
  std::string skeleton;
  bool has_to = false;
  std::string_view t = url;
  while (!t.empty()) {
    size_t open = t.find_first_of("{}");
    skeleton += t.substr(0, open);
    if (open == std::string_view::npos) break;
    if (t[open] == '}') return permanent_error("sms_template_url has a '}' without '{'");
    size_t close = t.find_first_of("{}", open + 1);
    if (close == std::string_view::npos || t[close] != '}')
      return permanent_error("sms_template_url has a '{' without '}'");
    std::string_view name = t.substr(open + 1, close - open - 1);
    bool known = false;
    for (auto p : kPlaceholders) known = known || p == name;
    if (!known)
      return permanent_error("sms_template_url: unknown placeholder {" +
                             text::quote_for_message(name) +
                             "}; known: {to} {to_digits} {from} {username} {password} {text} "
                             "{text_hex} {udh} {udh_hex} {coding} {charset}");
    has_to = has_to || name == "to" || name == "to_digits";
    skeleton += "x";
    t = t.substr(close + 1);
  }
  if (!has_to) return permanent_error("sms_template_url needs {to} or {to_digits}");
  // The scheme and host are the administrator's, never a placeholder's.
  size_t scheme_end = url.find("://");
  size_t host_end = scheme_end == std::string_view::npos
                        ? std::string_view::npos
                        : url.find_first_of("/?", scheme_end + 3);
  if (url.substr(0, host_end).find('{') != std::string_view::npos)
    return permanent_error("sms_template_url: the scheme and host must not be placeholders");
  if (auto valid = validate_gateway_url(skeleton); !valid)
    return permanent_error("sms_template_url: " + valid.error().message);
  return {};
}

std::string gateway_name(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?", start);
  return std::string(url.substr(start, end == std::string_view::npos ? end : end - start));
}

}  // namespace lnotify::sms

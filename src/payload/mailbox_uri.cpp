#include "lnotify/payload/mailbox_uri.h"

#include <cctype>
#include <charconv>
#include <cstdio>

#include "core/utf8.h"

namespace lnotify {
namespace {

bool is_alnum(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// RFC 5092 §11:
//   achar         = uchar / "&" / "=" / "~"
//   uchar         = unreserved / pct-encoded / sub-delims-sh
//   sub-delims-sh = "!" / "$" / "'" / "(" / ")" / "*" / "+" / ","
//   bchar         = achar / ":" / "@" / "/"
// enc-user is 1*achar, enc-mailbox 1*bchar.
bool is_achar(unsigned char c) {
  if (is_alnum(c)) return true;
  switch (c) {
    case '-': case '.': case '_': case '~':                          // unreserved
    case '!': case '$': case '\'': case '(': case ')': case '*':
    case '+': case ',':                                                // sub-delims-sh
    case '&': case '=':
      return true;
    default:
      return false;
  }
}

bool is_bchar(unsigned char c) { return is_achar(c) || c == ':' || c == '@' || c == '/'; }

std::string percent_encode(std::string_view text, bool (*keep)(unsigned char)) {
  std::string out;
  for (unsigned char c : text) {
    if (keep(c)) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

bool valid_reg_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (unsigned char c : name)
    if (!is_alnum(c) && c != '-' && c != '.' && c != '_') return false;
  return true;
}

bool valid_ipv6_literal(std::string_view inside) {
  if (inside.size() < 2) return false;
  for (unsigned char c : inside)
    if (!std::isxdigit(c) && c != ':' && c != '.') return false;
  return inside.find(':') != std::string_view::npos;
}

}  // namespace

std::string mailat_uri(std::string_view account) { return "mailat:" + std::string(account); }

std::string imap_mailbox_url(std::string_view user, std::string_view host,
                             std::string_view mailbox, uint32_t uidvalidity) {
  // RFC 5092 §3.4/§9: mailbox names in IMAP URLs are UTF-8 (Dovecot's vnames
  // already are), then percent-encoded; invalid bytes become U+FFFD first so
  // the URL never carries an undecodable name.
  std::string url = "imap://";
  if (!user.empty()) {
    url += percent_encode(utf8::sanitize(user), is_achar);
    url += '@';
  }
  url += host;
  url += '/';
  url += percent_encode(utf8::sanitize(mailbox), is_bchar);
  if (uidvalidity != 0 && !mailbox.empty()) url += ";UIDVALIDITY=" + std::to_string(uidvalidity);
  return url;
}

Result<void> validate_imap_host(std::string_view host) {
  std::string_view name = host;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return permanent_error("IPv6 literal lacks its ']'");
    if (!valid_ipv6_literal(host.substr(1, close - 1)))
      return permanent_error("not an IPv6 literal between '[' and ']'");
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return permanent_error("unexpected text after the IPv6 literal");
      port = rest.substr(1);
      if (port.empty()) return permanent_error("empty port after ':'");
    }
  } else {
    size_t colon = host.rfind(':');
    if (colon != std::string_view::npos) {
      name = host.substr(0, colon);
      port = host.substr(colon + 1);
      if (port.empty()) return permanent_error("empty port after ':'");
    }
    if (!valid_reg_name(name))
      return permanent_error("not a host name: use letters, digits, '-', '.', '_'");
  }
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return permanent_error("port must be a number from 1 to 65535");
  }
  return {};
}

}  // namespace lnotify

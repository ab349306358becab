#include "channels/sms/sms_config.h"

#include "channels/sms/sms_request.h"
#include "core/setting_value.h"
#include "core/text_util.h"

namespace lnotify {
namespace {

bool printable_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7F) return false;
  return true;
}

}  // namespace

Result<void> validate_gateway_url(std::string_view url) {
  const std::string shown = text::quote_for_message(url, 120);
  size_t scheme_end = url.find("://");
  std::string_view scheme = url.substr(0, scheme_end);
  if (scheme_end == std::string_view::npos ||
      !(text::iequals(scheme, "http") || text::iequals(scheme, "https")))
    return permanent_error(shown + " is not an http:// or https:// URL");
  if (!printable_ascii(url))
    return permanent_error(shown + " contains spaces or characters that are not printable ASCII");
  std::string_view rest = url.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  if (authority.find('@') != std::string_view::npos)
    return permanent_error(shown + " has user:password@ in it: use sms_username and sms_password");
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {  // IPv6 literal
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return permanent_error(shown + " has an unclosed [");
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return permanent_error(shown + " has junk after the host");
      port = after.substr(1);
      if (port.empty()) return permanent_error(shown + " has an empty port");
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return permanent_error(shown + " has an empty port");
  }
  if (host.empty() || host == "[]") return permanent_error(shown + " has no host");
  if (!port.empty()) {
    auto n = parse_setting_number("the port", port, 1, 65535, "");
    if (!n) return permanent_error(shown + ": the port must be a number from 1 to 65535");
  }
  return {};
}

Result<bool> parse_sms_setting(std::string_view key, std::string_view value, SmsConfig& c) {
  if (key == "sms_gateway") {
    if (text::iequals(value, "kannel"))
      c.gateway = SmsGatewayKind::Kannel;
    else if (text::iequals(value, "template"))
      c.gateway = SmsGatewayKind::Template;
    else
      return permanent_error("sms_gateway must be kannel or template");
  } else if (key == "sms_gateway_url") {
    if (auto valid = validate_gateway_url(value); !valid)
      return permanent_error("sms_gateway_url: " + valid.error().message);
    c.gateway_url = std::string(value);
  } else if (key == "sms_template_url") {
    if (auto valid = sms::validate_template_url(value); !valid) return valid.error();
    c.template_url = std::string(value);
  } else if (key == "sms_username") {
    c.username = std::string(value);
  } else if (key == "sms_password") {
    c.password = std::string(value);
  } else if (key == "sms_from") {
    if (value.empty() || value.size() > 20 || !printable_ascii(value))
      return permanent_error("sms_from must be 1 to 20 printable characters without spaces "
                             "(a number, or an alphanumeric sender the operator allows)");
    c.from = std::string(value);
  } else if (key == "sms_extended_as_text") {
    if (text::iequals(value, "yes"))
      c.extended_as_text = true;
    else if (text::iequals(value, "no"))
      c.extended_as_text = false;
    else
      return permanent_error("sms_extended_as_text must be yes or no");
  } else if (key == "sms_max_parts") {
    auto n = parse_setting_number(key, value, 1, 255, "SMS");
    if (!n) return n.error();
    c.max_parts = *n;
  } else if (key == "sms_port") {
    auto n = parse_setting_number(key, value, 1, 65535, "");
    if (!n)
      return permanent_error("sms_port must be a port number from 1 to 65535 (2948: the "
                             "handset's WAP push dispatcher; 143: draft Appendix A)");
    c.port = static_cast<uint16_t>(*n);
  } else if (key == "sms_timeout") {
    auto n = parse_setting_number(key, value, 1, 300, "seconds");
    if (!n) return n.error();
    c.timeout_secs = *n;
  } else {
    return false;
  }
  return true;
}

Result<void> check_sms_config(const SmsConfig& c) {
  if (c.gateway == SmsGatewayKind::Kannel && c.gateway_url.empty())
    return permanent_error(
        "channels lists SMS but sms_gateway_url is not set (Kannel's sendsms URL, e.g. "
        "http://127.0.0.1:13013/cgi-bin/sendsms)");
  if (c.gateway == SmsGatewayKind::Kannel && c.username.empty())
    return permanent_error("sms_gateway = kannel needs sms_username (a sendsms-user of Kannel)");
  if (c.gateway == SmsGatewayKind::Template && c.template_url.empty())
    return permanent_error("sms_gateway = template needs sms_template_url");
  return {};
}

}  // namespace lnotify

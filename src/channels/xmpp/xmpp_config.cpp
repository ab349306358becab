#include "channels/xmpp/xmpp_config.h"

#include <charconv>

#include "lnotify/metadata/preferences.h"
#include "core/setting_value.h"
#include "core/text_util.h"

namespace lnotify {
namespace {

// host[:port] or [IPv6]:port
Result<void> parse_server(XmppConfig& config, std::string_view value) {
  const Error bad = permanent_error("xmpp_server must be host or host:port, e.g. "
                                    "xmpp.example.org:5222 or [2001:db8::1]:5222");
  std::string_view host = value;
  std::string_view port;
  if (value.starts_with('[')) {
    size_t close = value.find(']');
    if (close == std::string_view::npos) return bad;
    host = value.substr(1, close - 1);
    std::string_view rest = value.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad;
      port = rest.substr(1);
    }
  } else if (size_t colon = value.rfind(':'); colon != std::string_view::npos) {
    host = value.substr(0, colon);
    port = value.substr(colon + 1);
  }
  if (host.empty() || host.find_first_of(" \t/@[]") != std::string_view::npos) return bad;
  unsigned number = 0;
  if (!port.empty() || value.ends_with(':')) {
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (!text::all_digits(port) || ec != std::errc() || end != port.data() + port.size() ||
        number == 0 || number > 65535)
      return bad;
  }
  config.server_host = std::string(host);
  config.server_port = static_cast<uint16_t>(number);
  return {};
}

}  // namespace

Result<bool> parse_xmpp_setting(XmppConfig& config, std::string_view key, std::string_view value) {
  if (key == "xmpp_jid") {
    if (!validate_address(ChannelKind::Xmpp, value))
      return permanent_error("xmpp_jid must be the dispatcher's XMPP account, e.g. "
                             "notifications@example.org");
    config.jid = std::string(value);
  } else if (key == "xmpp_password") {
    if (value.empty()) return permanent_error("xmpp_password is empty");
    config.password = std::string(value);
  } else if (key == "xmpp_server") {
    if (auto parsed = parse_server(config, value); !parsed) return parsed.error();
  } else if (key == "xmpp_require_tls") {
    auto yes = parse_setting_yes_no(key, value);
    if (!yes) return yes.error();
    config.require_tls = *yes;
  } else if (key == "xmpp_tls_verify") {
    auto yes = parse_setting_yes_no(key, value);
    if (!yes) return yes.error();
    config.verify_tls = *yes;
  } else if (key == "xmpp_ca_file") {
    if (value.empty() || value.front() != '/')
      return permanent_error("xmpp_ca_file must be an absolute path");
    config.ca_file = std::string(value);
  } else {
    return false;
  }
  return true;
}

Result<void> check_xmpp_config(const XmppConfig& config) {
  if (config.jid.empty() || config.password.empty())
    return permanent_error("channel XMPP needs xmpp_jid and xmpp_password (the dispatcher's "
                           "own account on its XMPP server)");
  return {};
}

}  // namespace lnotify

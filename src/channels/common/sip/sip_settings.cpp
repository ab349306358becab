#include "channels/common/sip/sip_settings.h"

#include <algorithm>

#include "core/setting_value.h"
#include "core/text_util.h"

namespace lnotify::sip {

Result<bool> parse_client_setting(std::string_view key, std::string_view value,
                                  ClientConfig& config) {
  if (key == "sip_outbound_proxy") {
    if (!value.empty()) {
      if (auto proxy = parse_host_port(value); !proxy)
        return permanent_error("sip_outbound_proxy " + text::quote_for_message(value) + ": " +
                               proxy.error().message);
    }
    config.outbound_proxy = std::string(value);
  } else if (key == "sip_t1_ms") {
    auto ms = parse_setting_number(key, value, 10, 10000, "milliseconds");
    if (!ms) return ms.error();
    config.t1_ms = *ms;
  } else if (key == "sip_username" || key == "sip_password") {
    // sent back in a quoted string of the Authorization header
    for (char c : value)
      if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\' || c == 0x7f)
        return permanent_error(std::string(key) +
                               " must not contain quotes, backslashes or control characters");
    (key == "sip_username" ? config.username : config.password) = std::string(value);
  } else {
    return false;
  }
  return true;
}

Result<void> check_client_config(const ClientConfig& config) {
  if (config.username.empty() != config.password.empty())
    return permanent_error("sip_username and sip_password go together (Digest credentials)");
  return {};
}

Result<ClientSettings> make_client_settings(const ClientConfig& config,
                                            const std::string& identity) {
  ClientSettings settings;
  settings.identity = identity;
  settings.timers.t1_ms = config.t1_ms;
  settings.timers.t2_ms = std::max<int64_t>(4000, config.t1_ms);
  if (!config.username.empty())
    settings.credentials = DigestCredentials{config.username, config.password};
  if (!config.outbound_proxy.empty()) {
    auto proxy = parse_host_port(config.outbound_proxy);
    if (!proxy) return permanent_error("sip_outbound_proxy: " + proxy.error().message);
    settings.outbound_proxy = *proxy;
  }
  return settings;
}

}  // namespace lnotify::sip

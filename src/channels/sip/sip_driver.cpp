#include "channels/sip/sip_driver.h"

#include "channels/sip/sip_channel.h"
#include "core/setting_value.h"

namespace lnotify::sip {

Result<bool> SipDriver::configure(std::string_view key, std::string_view value) {
  if (key == "sip_workers") {
    auto count = parse_setting_number(key, value, 1, 256, "threads");
    if (!count) return count.error();
    workers_ = *count;
    return true;
  }
  return parse_client_setting(key, value, client_);
}

Result<void> SipDriver::check(const channels::DriverContext&, bool) const {
  return check_client_config(client_);
}

Result<ChannelPtr> SipDriver::make(const channels::DriverContext& context) const {
  auto policy = context.destination_policy();
  if (!policy) return policy.error();
  auto settings = make_client_settings(client_, context.identity);
  if (!settings) return settings.error();
  return ChannelPtr(std::make_unique<SipChannel>(std::move(*settings), make_socket_connector(),
                                                 std::move(*policy), workers_));
}

channels::ChannelDriverPtr make_driver() {
  return std::make_unique<SipDriver>();
}

}  // namespace lnotify::sip

#include "channels/sms/sms_driver.h"

#include "channels/sms/sms_channel.h"

namespace lnotify::sms {

Result<bool> SmsDriver::configure(std::string_view key, std::string_view value) {
  if (!key.starts_with("sms_")) return false;
  return parse_sms_setting(key, value, config_);
}

Result<ChannelPtr> SmsDriver::make(const channels::DriverContext& context) const {
  if (auto valid = check_sms_config(config_); !valid) return valid.error();
  // Only how the wake-up names the mailbox matters here (no signer: the
  // binary wake-up is never signed). The sender defaults to the identity
  // as configured, not the host name.
  return ChannelPtr(std::make_unique<SmsChannel>(config_, context.configured_identity,
                                                 context.wakeup_options(),
                                                 make_curl_gateway_http(config_.timeout_secs)));
}

channels::ChannelDriverPtr make_driver() {
  return std::make_unique<SmsDriver>();
}

}  // namespace lnotify::sms

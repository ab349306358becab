// The SMS channel's row in the driver table (service/registry.cpp): the
// sms_* settings (sms_config.h).
#pragma once

#include "channels/common/channel_driver.h"
#include "channels/sms/sms_config.h"

namespace lnotify::sms {

class SmsDriver : public channels::ChannelDriver {
 public:
  ChannelKind kind() const override { return ChannelKind::Sms; }
  Result<bool> configure(std::string_view key, std::string_view value) override;
  // EXTENDED goes as such only as a text SMS (sms_extended_as_text = yes);
  // otherwise the binary wake-up is sent for it, so it is not offered.
  bool delivers(PayloadFormat format) const override {
    return format == PayloadFormat::Wakeup || config_.extended_as_text;
  }
  Result<ChannelPtr> make(const channels::DriverContext& context) const override;

  const SmsConfig& settings() const { return config_; }

 private:
  SmsConfig config_;
};

channels::ChannelDriverPtr make_driver();

}  // namespace lnotify::sms

// The SIP channel's row in the driver table (service/registry.cpp):
// sip_workers, and the SIP client's settings (channels/common/sip/sip_settings.h).
#pragma once

#include "channels/common/channel_driver.h"
#include "channels/common/sip/sip_settings.h"

namespace lnotify::sip {

class SipDriver : public channels::ChannelDriver {
 public:
  ChannelKind kind() const override { return ChannelKind::Sip; }
  Result<bool> configure(std::string_view key, std::string_view value) override;
  Result<void> check(const channels::DriverContext& context, bool enabled) const override;
  Result<ChannelPtr> make(const channels::DriverContext& context) const override;

  const ClientConfig& client() const { return client_; }
  unsigned workers() const { return workers_; }

 private:
  ClientConfig client_;
  unsigned workers_ = 4;  // sends in flight at once
};

channels::ChannelDriverPtr make_driver();

}  // namespace lnotify::sip

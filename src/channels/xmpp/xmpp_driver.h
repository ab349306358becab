// The XMPP channel's row in the driver table (service/registry.cpp): the
// xmpp_* settings (xmpp_config.h).
#pragma once

#include "channels/common/channel_driver.h"
#include "channels/xmpp/xmpp_config.h"

namespace lnotify::xmpp {

class XmppDriver : public channels::ChannelDriver {
 public:
  ChannelKind kind() const override { return ChannelKind::Xmpp; }
  Result<bool> configure(std::string_view key, std::string_view value) override;
  Result<void> check(const channels::DriverContext& context, bool enabled) const override;
  Result<ChannelPtr> make(const channels::DriverContext& context) const override;
  Result<void> describe(Provision& provision) const override;

  const XmppConfig& settings() const { return config_; }

 private:
  XmppConfig config_;
};

channels::ChannelDriverPtr make_driver();

}  // namespace lnotify::xmpp

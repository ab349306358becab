// The DELTACHAT channel's row in the driver table (service/registry.cpp):
// the deltachat_* settings (deltachat_config.h).
#pragma once

#include "channels/common/channel_driver.h"
#include "channels/deltachat/deltachat_config.h"

namespace lnotify::deltachat {

class DeltaChatDriver : public channels::ChannelDriver {
 public:
  ChannelKind kind() const override { return ChannelKind::DeltaChat; }
  Result<bool> configure(std::string_view key, std::string_view value) override;
  // Delta Chat is not among the draft's channels: a client does not choose
  // it in /private/notify/outband/channel, it stores a device token.
  bool chosen_by_clients() const override { return false; }
  Result<ChannelPtr> make(const channels::DriverContext& context) const override;
  Result<void> describe(Provision& provision) const override;

  const DeltaChatConfig& settings() const { return config_; }

 private:
  DeltaChatConfig config_;
};

channels::ChannelDriverPtr make_driver();

}  // namespace lnotify::deltachat

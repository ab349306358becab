// The HTTP channel's row in the driver table (service/registry.cpp):
// server-to-server targets (s2s_target, s2s_mwi_mailboxes; draft §14), and
// the SIP client's settings for sip= (RFC 3842 MWI) targets.
#pragma once

#include <string>
#include <vector>

#include "channels/common/channel_driver.h"
#include "channels/common/sip/sip_settings.h"
#include "lnotify/payload/s2s.h"

namespace lnotify::http {

class HttpDriver : public channels::ChannelDriver {
 public:
  ChannelKind kind() const override { return ChannelKind::Http; }
  Result<bool> configure(std::string_view key, std::string_view value) override;
  Result<void> check(const channels::DriverContext& context, bool enabled) const override;
  // Not listed in channels: it runs when s2s_target lines configure targets.
  bool runs_unlisted() const override { return !targets_.empty(); }
  Result<ChannelPtr> make(const channels::DriverContext& context) const override;
  Result<void> describe(Provision& provision) const override;

  const std::vector<S2sTarget>& targets() const { return targets_; }

 private:
  std::vector<S2sTarget> targets_;
  // Mailboxes whose unseen messages make the MWI state ON (the plugin
  // computes it, so it is published in the provision).
  std::string mwi_mailboxes_ = "INBOX";
  sip::ClientConfig sip_;
};

channels::ChannelDriverPtr make_driver();

}  // namespace lnotify::http

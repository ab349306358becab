// The Web Push channel's row in the driver table (service/registry.cpp):
// the webpush_* settings.
#pragma once

#include <string>
#include <vector>

#include "channels/common/channel_driver.h"

namespace lnotify::webpush {

struct WebPushConfig {
  std::string vapid_key;       // webpush_vapid_key: absolute path of a P-256 PEM private key
  std::string subject;         // webpush_subject: RFC 8292 contact, mailto:... or https://...
  unsigned ttl_secs = 86400;   // webpush_ttl
  unsigned timeout_secs = 10;  // webpush_timeout
  std::vector<std::string>
      allow_http_hosts;  // webpush_allow_http_hosts: exact hosts over plain http
};

class WebPushDriver : public channels::ChannelDriver {
 public:
  ChannelKind kind() const override { return ChannelKind::WebPush; }
  Result<bool> configure(std::string_view key, std::string_view value) override;
  Result<void> check(const channels::DriverContext& context, bool enabled) const override;
  Result<ChannelPtr> make(const channels::DriverContext& context) const override;
  Result<void> describe(Provision& provision) const override;

  const WebPushConfig& settings() const { return config_; }

 private:
  WebPushConfig config_;
};

channels::ChannelDriverPtr make_driver();

}  // namespace lnotify::webpush

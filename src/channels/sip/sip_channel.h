// SIP channel: the notification payload (EMN XML for WAKEUP, xemn XML for
// EXTENDED, as payload.h builds them) in an RFC 3428 MESSAGE to the user's
// sip: URI (draft §11.2). The final response decides the outcome
// (outcome_of in sip_client.h); no answer within Timer F is a temporary
// failure. The URI's host must pass allowed_destinations, checked again at
// send time (the name may resolve elsewhere by then).
#pragma once

#include "channels/common/blocking_channel.h"
#include "channels/common/sip/sip_client.h"
#include "lnotify/metadata/destination_policy.h"

namespace lnotify::sip {

class SipChannel : public BlockingChannel {
 public:
  SipChannel(ClientSettings settings, ConnectorPtr connector, DestinationPolicy policy,
             unsigned workers, MonotonicClock now = steady_clock_ms());
  ~SipChannel() override;

  ChannelKind kind() const override { return ChannelKind::Sip; }
  Result<void> validate_destination(std::string_view address) const override;

  // The whole send on the calling thread (send_blocking() calls it; tests
  // call it directly).
  Result<void> send_now(const Delivery& delivery);

 protected:
  Result<void> send_blocking(const Delivery& delivery) override { return send_now(delivery); }

 private:
  Client client_;
  DestinationPolicy policy_;
};

}  // namespace lnotify::sip

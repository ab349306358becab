// SMS channel: notifications as SMS through an HTTP SMS gateway (Kannel's
// sendsms, or another gateway through a URL template).
//
//   WAKEUP    the binary WAP push: the WSP push PDU around the WBXML EMN,
//             in 8-bit SMS whose UDH addresses WDP port 2948 (and
//             concatenates, when one SMS is not enough): one gateway
//             request per SMS (sms_pdu.h).
//   EXTENDED  the xemn document as a text SMS when sms_extended_as_text =
//             yes (the gateway concatenates; more than sms_max_parts SMS
//             make it the wake-up instead); otherwise the wake-up.
//
// The dispatcher logs the format the request asked for; EXTENDED sent as
// the wake-up is still one notification telling the client to look.
#pragma once

#include <string>

#include "channels/common/blocking_channel.h"
#include "channels/sms/gateway_http.h"
#include "channels/sms/sms_request.h"
#include "lnotify/payload/payload.h"
#include "channels/sms/sms_config.h"

namespace lnotify::sms {

class SmsChannel : public BlockingChannel {
 public:
  // wakeup_options: how a wake-up names the mailbox, for EXTENDED requests
  // that go as the wake-up.
  SmsChannel(SmsConfig config, std::string identity, PayloadOptions wakeup_options,
             GatewayHttpPtr http, unsigned workers = 4);
  ~SmsChannel() override;

  ChannelKind kind() const override { return ChannelKind::Sms; }
  Result<void> validate_destination(std::string_view address) const override;

  // The SMS one delivery becomes, in order (public for tests).
  Result<std::vector<SmsMessage>> messages_for(const Delivery& delivery) const;

 protected:
  Result<void> send_blocking(const Delivery& delivery) override;

 private:
  SmsConfig config_;
  std::string from_;
  PayloadOptions wakeup_options_;
  GatewayHttpPtr http_;
  std::string gateway_;  // host:port, for messages
};

}  // namespace lnotify::sms

// DELTACHAT channel: wakes a Delta Chat device through its notification
// proxy, as chatmail's relay does (chatmaild notifier.py; the proxy is
// chatmail/notifiers, by default https://notifications.delta.chat/notify).
//
// Request:
//   POST <deltachat_notifier_url>
//   Content-Type: application/octet-stream
//   <the device token, byte for byte as the client stored it>
// Nothing of the message leaves the server: the token is opaque (encrypted
// to the proxy), and the proxy only tells the device to look.
//
// Answers: 200 (any 2xx) done; 410 the token is dead: a permanent failure
// marked gone, so the dispatcher forgets the token; anything else, or no
// answer, is temporary: the dispatcher retries with backoff and gives up
// after deltachat::kGiveUpSecs (5 hours).
#pragma once

#include <string>

#include "channels/common/blocking_channel.h"
#include "channels/deltachat/notifier_http.h"
#include "channels/deltachat/deltachat_config.h"

namespace lnotify::deltachat {

// The proxy's answer as an outcome (public for tests).
Result<void> classify_notifier_response(const NotifierAnswer& answer);

class DeltaChatChannel : public BlockingChannel {
 public:
  DeltaChatChannel(DeltaChatConfig config, NotifierHttpPtr http);
  ~DeltaChatChannel() override;

  ChannelKind kind() const override { return ChannelKind::DeltaChat; }
  // The address is the device token.
  Result<void> validate_destination(std::string_view address) const override;

  // The request for a token (public for tests).
  NotifierPost build_request(const std::string& token) const;

 protected:
  Result<void> send_blocking(const Delivery& delivery) override;

 private:
  const DeltaChatConfig config_;
  NotifierHttpPtr http_;
};

}  // namespace lnotify::deltachat

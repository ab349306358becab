// HTTP channel: server-to-server requests (draft §14) POSTed to the
// administrator's targets (s2s_target lines), each signed with the target's
// HMAC secret (doc/server-to-server.md). A request's address
// is the target's name; no user chooses an HTTP destination.
//
// Draft §14.8: "it MUST be possible to provide acknowledgment by the target
// to the messaging system or to repeat notification until such an
// acknowledgement is provided": a 2xx is the acknowledgement; the dispatcher
// repeats everything else that is not a request error (§14.5.3) until the
// notification expires.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "channels/common/blocking_channel.h"
#include "channels/http/http_transport.h"
#include "channels/common/sip/sip_notify.h"
#include "lnotify/payload/s2s.h"

namespace lnotify::http {

// Headers of a request (names are case-insensitive on the wire).
inline constexpr char kIdHeader[] = "X-Lnotify-Id";
inline constexpr char kTimestampHeader[] = "X-Lnotify-Timestamp";
inline constexpr char kSignatureHeader[] = "X-Lnotify-Signature";

// The target's answer as an outcome: 2xx acknowledged; 4xx a request error
// (permanent) except 408 and 429; 413 also marked too large; anything else
// (3xx, 5xx, 1xx) temporary, with the peer's Retry-After.
Result<void> classify_http_response(const HttpResponse& response, const std::string& target);

// An MWI update as an RFC 3842 message summary: Messages-Waiting yes while
// unseen messages remain, Message-Account the account's imap:// URL,
// and "Text-Message: new/old" with new = unseen, old = the rest.
sip::MessageSummary mwi_message_summary(const NotificationRequest& request,
                                        const std::string& imap_host);

// The SIP side of the server-to-server channel: the client that sends the
// NOTIFYs of sip= targets, and the host their Message-Account names.
struct SipMwiSender {
  std::unique_ptr<sip::Client> client;
  std::string imap_host;
};

// The server-to-server channel: POSTs to url= targets, NOTIFYs to sip=
// targets; the dispatcher's per (target, user) queue, retries and
// acknowledgement rules are the same for both.
class HttpChannel : public BlockingChannel {
 public:
  static constexpr unsigned kWorkers = 4;

  // sip may be empty when no target is a sip= one.
  HttpChannel(std::map<std::string, S2sTarget> targets, HttpTransportPtr transport,
              unsigned workers = kWorkers, SipMwiSender sip = {});
  ~HttpChannel() override;

  ChannelKind kind() const override { return ChannelKind::Http; }
  // The address must name a configured target.
  Result<void> validate_destination(std::string_view address) const override;

 protected:
  Result<void> send_blocking(const Delivery& delivery) override;

 private:
  const std::map<std::string, S2sTarget> targets_;
  HttpTransportPtr transport_;
  SipMwiSender sip_;

  Result<void> notify_sip(const S2sTarget& target, const NotificationRequest& request);
};

}  // namespace lnotify::http

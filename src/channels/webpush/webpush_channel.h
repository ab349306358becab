// Web Push channel (RFC 8030 "Generic Event Delivery Using HTTP Push",
// RFC 8291 message encryption, RFC 8292 VAPID): the notification is POSTed
// to the subscription's endpoint, the address the client stored, and the
// push service wakes the device. WEBPUSH is lnotify's extension of the
// draft's channel list (doc/payloads.md).
//
// Request (RFC 8030 §5):
//   POST <endpoint>
//   TTL: <webpush_ttl>                    how long the service may keep it
//   Urgency: high | low                   §5.3: high for MessageNew, low otherwise
//   Topic: <32 base64url characters>      §5.4: one per account and mailbox, so
//                                         an undelivered wake-up is replaced
//   Authorization: vapid t=<JWT>, k=<VAPID public key>    RFC 8292 §3
//   Content-Encoding: aes128gcm           the RFC 8291 body, when the device
//                                         stored its keys
// Without device keys the push carries no body at all (RFC 8030 §5 allows a
// push message without payload; a payload must be encrypted, RFC 8291 §1):
// the device only learns that it should look.
//
// UnifiedPush server rules (unifiedpush.org "Server" specification) on top:
// endpoints of at most 1000 bytes, bodies of at most 4096 (larger: the
// dispatcher's wake-up fallback, as for a 413), any 2xx is success, 404 and
// 410 unregister, 429 holds that push service (its origin) for Retry-After
// (kDefaultSlowDownMs without one) while other services are sent to,
// redirects are never followed (the transport).
//
// Complete for what lnotify sends; not implemented: receipts (§5.1),
// message updates beyond Topic.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "channels/common/blocking_channel.h"
#include "channels/webpush/http_transport.h"
#include "lnotify/core/clock.h"
#include "lnotify/metadata/destination_policy.h"
#include "lnotify/payload/vapid.h"

namespace lnotify::webpush {

struct WebPushSettings {
  std::string subject;                  // webpush_subject: mailto: or https: contact
  unsigned ttl_secs = 86400;            // webpush_ttl
  unsigned timeout_secs = 10;           // webpush_timeout: one request, connecting included
  std::vector<std::string> http_hosts;  // webpush_allow_http_hosts
  unsigned workers = 4;                 // requests in flight at once
};

// RFC 8292 §2: the token's lifetime; it is reused for an audience until
// kVapidRenewBeforeSecs before it ends, so a push service whose clock is a
// little ahead never sees an expired token.
inline constexpr int64_t kVapidTokenLifetimeSecs = 12 * 3600;
inline constexpr int64_t kVapidRenewBeforeSecs = 3600;

// UnifiedPush server specification: the body is at most 4096 bytes.
inline constexpr size_t kMaxPushBody = 4096;
// A 429 without a usable Retry-After holds that push service this long.
inline constexpr int64_t kDefaultSlowDownMs = 30 * 1000;

// Signed VAPID tokens per audience (the endpoint's origin), cached.
// Thread-safe: the workers share it.
class VapidTokens {
 public:
  VapidTokens(const VapidKey& key, std::string subject, const Clock& clock);
  Result<std::string> token_for(const std::string& audience);

 private:
  struct Token {
    std::string jwt;
    int64_t expires = 0;  // seconds since the epoch
  };
  const VapidKey& key_;
  std::string subject_;
  const Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, Token> tokens_;
};

// RFC 8030 §5.4: the Topic header is at most 32 characters of base64url:
// the first 24 octets of SHA-256(account NUL mailbox).
std::string push_topic(std::string_view account, std::string_view mailbox);
// RFC 8030 §5.3: a new message is "high" (the user waits for it); other
// events (flags, expunges) can wait for the device's next wake-up: "low".
std::string_view push_urgency(std::string_view event);

class WebPushChannel : public BlockingChannel {
 public:
  WebPushChannel(HttpTransportPtr transport, VapidKey key, WebPushSettings settings,
                 DestinationPolicy policy, const Clock& clock = system_clock());
  ~WebPushChannel() override;

  ChannelKind kind() const override { return ChannelKind::WebPush; }
  // The endpoint's syntax, and plain http only for the hosts the
  // administrator lists.
  Result<void> validate_destination(std::string_view address) const override;

  // The HTTP request for a delivery (public for tests).
  Result<HttpRequest> build_request(const Delivery& delivery,
                                    std::vector<std::string> addresses);

 protected:
  Result<void> send_blocking(const Delivery& delivery) override;

 private:
  // How long a push service (by origin) that answered 429 is still to be
  // left alone, in ms; nothing when it is not.
  std::optional<int64_t> slowed_down(const std::string& origin, int64_t now_ms);
  void slow_down(const std::string& origin, int64_t until_ms);

  HttpTransportPtr transport_;
  VapidKey key_;
  WebPushSettings settings_;
  DestinationPolicy policy_;
  const Clock& clock_;
  VapidTokens tokens_;
  std::mutex slow_mutex_;
  std::map<std::string, int64_t> slow_until_;  // origin -> ms since the epoch
};

}  // namespace lnotify::webpush

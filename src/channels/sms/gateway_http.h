// The network seam of the SMS channel: one HTTP GET to the gateway. The
// dispatcher uses libcurl; unit tests record the URLs and answer for the
// gateway.
#pragma once

#include <memory>
#include <string>

#include "channels/sms/gateway_reply.h"
#include "lnotify/core/result.h"

namespace lnotify::sms {

class GatewayHttp {
 public:
  virtual ~GatewayHttp() = default;
  // Any HTTP answer is a reply; an error is a transport failure (refused,
  // timed out, TLS), always temporary. Thread-safe: workers share it.
  virtual Result<GatewayReply> get(const std::string& url) = 0;
};
using GatewayHttpPtr = std::unique_ptr<GatewayHttp>;

// libcurl easy handles, one request each: timeout_secs for the whole
// request (connecting included), no redirects followed, http and https
// only, certificates verified, at most kMaxReplyBody bytes of body kept.
GatewayHttpPtr make_curl_gateway_http(unsigned timeout_secs);

}  // namespace lnotify::sms

// The HTTP seam of the Web Push driver: one POST, its status and the few
// answer headers the driver reads. The dispatcher uses libcurl; unit tests
// inject a fake and check the exact request.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lnotify/core/result.h"

namespace lnotify::webpush {

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // in order
  std::string body;
  // Addresses the host's name must be connected to (checked against the
  // allow-list); empty: the transport resolves the name itself.
  std::vector<std::string> addresses;
  int64_t timeout_ms = 10000;  // the whole exchange, connecting included
};

struct HttpResponse {
  long status = 0;
  std::string retry_after;  // the Retry-After header's value, if any
  std::string location;     // of a redirect, for the log (never followed)
  std::string body;         // the start of the body, for the log
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // An error means no HTTP answer (refused, timed out, TLS failed): the
  // disposition says whether trying again may help. Thread-safe.
  virtual Result<HttpResponse> post(const HttpRequest& request) = 0;
};
using HttpTransportPtr = std::unique_ptr<HttpTransport>;

// libcurl: no redirects, http and https only, TLS certificates verified,
// the bounded time of the request, at most kMaxAnswerBody bytes of answer
// kept.
HttpTransportPtr make_curl_transport();

inline constexpr size_t kMaxAnswerBody = 512;  // as channels::kMaxAnswerBody

}  // namespace lnotify::webpush

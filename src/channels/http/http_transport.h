// The network seam of the HTTP channel: one POST, its status and the
// Retry-After the peer sent. The real transport is libcurl; unit tests
// inject a fake and check the exact request.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lnotify/core/result.h"

namespace lnotify::http {

struct HttpPost {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  unsigned timeout_secs = 10;
  // TLS (https:// only): client certificate and key (PEM), CA bundle.
  std::string client_cert, client_key, ca_file;
};

struct HttpResponse {
  long status = 0;
  int64_t retry_after_secs = 0;  // 0: none given
  std::string body;              // the first few hundred bytes, for the log
  std::string location;          // a redirect's target (never followed)
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // An error is a failure before any status arrived (connection refused,
  // timeout, TLS): always temporary.
  virtual Result<HttpResponse> post(const HttpPost& request) = 0;
};
using HttpTransportPtr = std::unique_ptr<HttpTransport>;

// libcurl: no redirects followed, http and https only, connect and total
// timeouts, no proxy from the environment, no signals.
HttpTransportPtr make_curl_transport();

}  // namespace lnotify::http

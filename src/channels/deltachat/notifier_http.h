// The network seam of the DELTACHAT channel: one POST of a token to the
// notification proxy. The dispatcher uses the shared client
// (channels/common/http_client.h: no redirects, no proxy, bounded time);
// unit tests record the requests and answer for the notifier.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lnotify/core/result.h"

namespace lnotify::deltachat {

struct NotifierPost {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  unsigned timeout_secs = 10;  // the whole exchange, connecting included
};

struct NotifierAnswer {
  long status = 0;
  int64_t retry_after_secs = 0;  // 0: none given
  std::string body;              // the start of it, for the log
};

class NotifierHttp {
 public:
  virtual ~NotifierHttp() = default;
  // An error is a failure before any answer (refused, timed out, TLS):
  // always temporary. Thread-safe: the workers share it.
  virtual Result<NotifierAnswer> post(const NotifierPost& request) = 0;
};
using NotifierHttpPtr = std::unique_ptr<NotifierHttp>;

NotifierHttpPtr make_notifier_http();

}  // namespace lnotify::deltachat

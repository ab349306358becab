// The one HTTP client of the channel drivers (SMS gateways, server-to-server
// targets, Web Push services, and any later HTTP channel), so they share a
// single policy instead of drifting apart:
//   - http and https only; redirects never followed (the Location is kept
//     for the log): a gateway must not send the dispatcher elsewhere;
//   - no proxy, whatever the environment says: every URL is either the
//     operator's own or checked against allowed_destinations, and a proxy
//     would connect somewhere else than what was checked;
//   - TLS certificates verified; a bounded time for the whole exchange;
//   - only the start of the answer kept (it goes into a log line or a
//     reply parser);
//   - the addresses to connect to can be pinned, so the connection goes to
//     what the allow-list checked and not to a second DNS answer.
// Drivers keep their own narrow seam (what their unit tests fake) and adapt
// it to this client.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lnotify/core/result.h"

namespace lnotify::channels {

inline constexpr size_t kMaxAnswerBody = 512;

struct HttpRequest {
  enum class Method { Get, Post };
  Method method = Method::Post;
  std::string url;
  // In order; an empty value removes a header libcurl would add itself.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // POST only
  // Addresses the URL's host must be connected to; empty: resolved as usual.
  std::vector<std::string> addresses;
  int64_t timeout_ms = 10000;          // the whole exchange
  int64_t connect_timeout_ms = 10000;  // connecting alone (at most timeout_ms)
  // TLS client certificate and key (PEM) and CA bundle; empty: none / the system's.
  std::string client_cert, client_key, ca_file;
  size_t max_answer_body = kMaxAnswerBody;  // bytes of the answer's body kept
};

struct HttpResponse {
  long status = 0;
  std::string retry_after;       // the Retry-After header as sent (at most 64 bytes)
  int64_t retry_after_secs = 0;  // libcurl's reading of it (seconds or HTTP-date); 0: none
  std::string location;          // a redirect's target (never followed)
  std::string body;              // the start of the answer
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // An error means no HTTP answer arrived (refused, timed out, TLS): it is
  // temporary, except for a request libcurl cannot make at all (a malformed
  // URL). The message is libcurl's description ("Couldn't connect to
  // server: Failed to connect to 127.0.0.1 port 13013 ..."), without the
  // URL (an SMS gateway's query holds its password). Thread-safe.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};
using HttpClientPtr = std::unique_ptr<HttpClient>;

// libcurl, one easy handle per request; curl_global_init runs once, in the
// first call (made at the dispatcher's start, before any worker runs).
HttpClientPtr make_curl_http_client();

}  // namespace lnotify::channels

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "channels/http/http_transport.h"

namespace lnotify::http {
namespace {

// Only this much of an answer is kept: it goes into a log line.
constexpr size_t kMaxBodyKept = 512;

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

size_t keep_body(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t n = size * count;
  if (body->size() < kMaxBodyKept) body->append(data, std::min(n, kMaxBodyKept - body->size()));
  return n;  // read the rest and drop it, so the connection ends cleanly
}

class CurlTransport : public HttpTransport {
 public:
  CurlTransport() {
    // Not thread-safe itself; once per process is enough.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Result<HttpResponse> post(const HttpPost& request) override {
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) return temporary_error("libcurl could not start a request");
    std::unique_ptr<curl_slist, SlistDeleter> headers;
    for (const auto& [name, value] : request.headers) {
      curl_slist* grown = curl_slist_append(headers.get(), (name + ": " + value).c_str());
      if (grown == nullptr) return temporary_error("out of memory for HTTP headers");
      headers.release();
      headers.reset(grown);
    }
    // libcurl would otherwise send "Expect: 100-continue" for larger
    // bodies and wait for an answer to it.
    if (curl_slist* grown = curl_slist_append(headers.get(), "Expect:"); grown != nullptr) {
      headers.release();
      headers.reset(grown);
    }

    HttpResponse response;
    char error[CURL_ERROR_SIZE] = "";
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // issue 7: no redirects
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);        // worker threads
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");        // no proxy from the environment
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(std::min(request.timeout_secs, 10u)));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(request.timeout_secs));
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_USERAGENT, "lnotify-dispatch");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    if (!request.client_cert.empty()) {
      curl_easy_setopt(c, CURLOPT_SSLCERT, request.client_cert.c_str());
      curl_easy_setopt(c, CURLOPT_SSLKEY, request.client_key.c_str());
    }
    if (!request.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, request.ca_file.c_str());

    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
      return temporary_error(std::string("POST ") + request.url + " failed: " +
                             (error[0] != '\0' ? error : curl_easy_strerror(rc)));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
    curl_off_t retry_after = 0;
    // libcurl parses Retry-After (delta-seconds or an HTTP-date) itself.
    if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
      response.retry_after_secs = retry_after;
    char* location = nullptr;
    if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location != nullptr)
      response.location = location;
    return response;
  }
};

}  // namespace

HttpTransportPtr make_curl_transport() { return std::make_unique<CurlTransport>(); }

}  // namespace lnotify::http

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "channels/sms/gateway_http.h"
#include "text_util.h"

namespace lnotify::sms {
namespace {

size_t keep_body(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t n = size * count;
  if (body->size() < kMaxReplyBody) body->append(data, std::min(n, kMaxReplyBody - body->size()));
  return n;  // the rest is read and dropped, so the connection ends cleanly
}

size_t keep_header(char* data, size_t size, size_t count, void* user) {
  auto* reply = static_cast<GatewayReply*>(user);
  std::string_view line(data, size * count);
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view name = text::trim(line.substr(0, colon));
    std::string_view value = text::trim(line.substr(colon + 1));
    if (text::iequals(name, "Retry-After")) reply->retry_after = std::string(value.substr(0, 64));
    if (text::iequals(name, "Location")) reply->location = std::string(value.substr(0, 512));
  }
  return size * count;
}

class CurlGatewayHttp : public GatewayHttp {
 public:
  explicit CurlGatewayHttp(unsigned timeout_secs) : timeout_ms_(timeout_secs * 1000L) {
    // Once per process, on the dispatcher's thread before any worker runs.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Result<GatewayReply> get(const std::string& url) override {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return temporary_error("cannot create an HTTP request (libcurl)");
    GatewayReply reply;
    char error[CURL_ERROR_SIZE] = "";
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, long{CURLPROTO_HTTP | CURLPROTO_HTTPS});
#endif
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms_);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms_);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");  // the administrator's URL, as written
    curl_easy_setopt(c, CURLOPT_USERAGENT, "lnotify-dispatch");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, keep_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &reply);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
      // The error names the host and what failed; never the URL, whose
      // query holds the password.
      return temporary_error(std::string(curl_easy_strerror(rc)) +
                             (error[0] != '\0' ? std::string(": ") + error : std::string()));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
    return reply;
  }

 private:
  long timeout_ms_;
};

}  // namespace

GatewayHttpPtr make_curl_gateway_http(unsigned timeout_secs) {
  return std::make_unique<CurlGatewayHttp>(timeout_secs);
}

}  // namespace lnotify::sms

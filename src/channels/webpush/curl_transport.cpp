// The libcurl transport of the Web Push driver. One easy handle per request
// (a worker sends one push at a time; a handle per request keeps the
// workers independent); curl_global_init runs once, before the first worker
// starts (make_curl_transport is called at start-up).
#include <curl/curl.h>

#include <cctype>
#include <mutex>

#include "channels/webpush/http_transport.h"

namespace lnotify::webpush {
namespace {

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

size_t keep_body(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t n = size * count;
  if (body->size() < kMaxAnswerBody) body->append(data, std::min(n, kMaxAnswerBody - body->size()));
  return n;  // the rest is read and dropped
}

// Header lines arrive one per call, "Name: value\r\n".
size_t keep_header(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  if (value.size() > 256) value = value.substr(0, 256);
  if (name == "retry-after") response->retry_after = std::string(value);
  if (name == "location") response->location = std::string(value);
  return n;
}

// Which failures may pass if tried again later: the network and the peer's
// availability, not a URL curl cannot use.
bool temporary(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_OUT_OF_MEMORY:
      return false;
    default:
      return true;
  }
}

class CurlTransport : public HttpTransport {
 public:
  Result<HttpResponse> post(const HttpRequest& request) override {
    std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
    if (!curl) return temporary_error("curl_easy_init failed");
    std::unique_ptr<curl_slist, SlistFree> headers;
    for (const auto& [name, value] : request.headers) {
      // "Name;" sends an empty header, "Name:" removes curl's own (Expect)
      std::string line = value.empty() ? name + ":" : name + ": " + value;
      curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
      if (grown == nullptr) return temporary_error("out of memory building the request");
      headers.release();
      headers.reset(grown);
    }
    std::unique_ptr<curl_slist, SlistFree> resolve;
    if (!request.addresses.empty()) {
      // host:port:addr[,addr...] pins the name to the checked addresses
      CURLU* url = curl_url();
      char* host = nullptr;
      char* port = nullptr;
      std::string pin;
      if (url != nullptr && curl_url_set(url, CURLUPART_URL, request.url.c_str(), 0) == CURLUE_OK &&
          curl_url_get(url, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
          curl_url_get(url, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        pin = std::string(host) + ":" + port + ":";
        for (size_t i = 0; i < request.addresses.size(); ++i) {
          const std::string& a = request.addresses[i];
          pin += (i > 0 ? "," : "") + (a.find(':') != std::string::npos ? "[" + a + "]" : a);
        }
      }
      curl_free(host);
      curl_free(port);
      curl_url_cleanup(url);
      if (pin.empty()) return permanent_error("cannot parse the endpoint URL");
      resolve.reset(curl_slist_append(nullptr, pin.c_str()));
    }

    HttpResponse response;
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeout_ms));
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    if (resolve) curl_easy_setopt(c, CURLOPT_RESOLVE, resolve.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, keep_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &response);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "lnotify-dispatch");
    char error[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);

    CURLcode code = curl_easy_perform(c);
    if (code != CURLE_OK) {
      std::string message = "push service not reached: " +
                            std::string(error[0] != '\0' ? error : curl_easy_strerror(code));
      return temporary(code) ? temporary_error(message) : permanent_error(message);
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }
};

}  // namespace

HttpTransportPtr make_curl_transport() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return std::make_unique<CurlTransport>();
}

}  // namespace lnotify::webpush

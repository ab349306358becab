#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "channels/common/http_client.h"
#include "core/text_util.h"

namespace lnotify::channels {
namespace {

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistFree>;

bool append(Slist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) return false;
  list.release();
  list.reset(grown);
  return true;
}

struct BodySink {
  std::string* body;
  size_t limit;
};

size_t keep_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  std::string& body = *sink->body;
  const size_t n = size * count;
  if (body.size() < sink->limit) body.append(data, std::min(n, sink->limit - body.size()));
  return n;  // the rest is read and dropped, so the connection ends cleanly
}

// Header lines arrive one per call, "Name: value\r\n".
size_t keep_header(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::string_view line(data, size * count);
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view name = text::trim(line.substr(0, colon));
    std::string_view value = text::trim(line.substr(colon + 1));
    if (text::iequals(name, "Retry-After"))
      response->retry_after = std::string(value.substr(0, 64));
    if (text::iequals(name, "Location")) response->location = std::string(value.substr(0, 512));
  }
  return size * count;
}

// "host:port:addr[,addr...]" for CURLOPT_RESOLVE; empty when the URL has no host.
std::string pin_for(const std::string& url_text, const std::vector<std::string>& addresses) {
  CURLU* url = curl_url();
  char* host = nullptr;
  char* port = nullptr;
  std::string pin;
  if (url != nullptr && curl_url_set(url, CURLUPART_URL, url_text.c_str(), 0) == CURLUE_OK &&
      curl_url_get(url, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(url, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    pin = std::string(host) + ":" + port + ":";
    for (size_t i = 0; i < addresses.size(); ++i) {
      const std::string& a = addresses[i];
      pin += (i > 0 ? "," : "") + (a.find(':') != std::string::npos ? "[" + a + "]" : a);
    }
  }
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(url);
  return pin;
}

// Which failures may pass if tried again later: the network and the peer's
// availability, not a request curl cannot make.
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

class CurlHttpClient : public HttpClient {
 public:
  CurlHttpClient() {
    // Not thread-safe itself; once per process is enough.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Result<HttpResponse> send(const HttpRequest& request) override {
    std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
    if (!curl) return temporary_error("libcurl could not start a request");
    Slist headers;
    for (const auto& [name, value] : request.headers)
      if (!append(headers, value.empty() ? name + ":" : name + ": " + value))
        return temporary_error("out of memory for HTTP headers");
    // libcurl would otherwise send "Expect: 100-continue" for larger
    // bodies and wait for an answer to it.
    if (!append(headers, "Expect:")) return temporary_error("out of memory for HTTP headers");
    Slist resolve;
    if (!request.addresses.empty()) {
      std::string pin = pin_for(request.url, request.addresses);
      if (pin.empty() || !append(resolve, pin)) return permanent_error("cannot parse the URL");
    }

    HttpResponse response;
    BodySink sink{&response.body, request.max_answer_body};
    char error[CURL_ERROR_SIZE] = "";
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM for DNS timeouts
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min(request.connect_timeout_ms, request.timeout_ms)));
    if (request.method == HttpRequest::Method::Post) {
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    } else {
      curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    if (resolve) curl_easy_setopt(c, CURLOPT_RESOLVE, resolve.get());
    if (!request.client_cert.empty()) {
      curl_easy_setopt(c, CURLOPT_SSLCERT, request.client_cert.c_str());
      curl_easy_setopt(c, CURLOPT_SSLKEY, request.client_key.c_str());
    }
    if (!request.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, request.ca_file.c_str());
    curl_easy_setopt(c, CURLOPT_USERAGENT, "lnotify-dispatch");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, keep_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &response);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);

    const CURLcode code = curl_easy_perform(c);
    if (code != CURLE_OK) {
      // What failed in general, then curl's particulars (which host and
      // port, after how long), never the URL itself.
      std::string message = curl_easy_strerror(code);
      if (error[0] != '\0') message += std::string(": ") + error;
      return temporary(code) ? temporary_error(message) : permanent_error(message);
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
    curl_off_t retry_after = 0;
    // libcurl parses Retry-After (delta-seconds or an HTTP-date) itself.
    if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
      response.retry_after_secs = retry_after;
    char* location = nullptr;
    if (response.location.empty() &&
        curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location != nullptr)
      response.location = location;
    return response;
  }
};

}  // namespace

HttpClientPtr make_curl_http_client() {
  return std::make_unique<CurlHttpClient>();
}

}  // namespace lnotify::channels

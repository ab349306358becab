// The HTTP channel's seam over the shared client (channels/common/http_client.h).
#include "channels/http/http_transport.h"
#include "channels/common/http_client.h"

namespace lnotify::http {
namespace {

class SharedClientTransport : public HttpTransport {
 public:
  Result<HttpResponse> post(const HttpPost& post) override {
    channels::HttpRequest request;
    request.url = post.url;
    request.headers = post.headers;
    request.body = post.body;
    request.timeout_ms = int64_t{post.timeout_secs} * 1000;
    request.connect_timeout_ms = 10000;
    request.client_cert = post.client_cert;
    request.client_key = post.client_key;
    request.ca_file = post.ca_file;
    auto answer = client_->send(request);
    if (!answer) return temporary_error("POST " + post.url + " failed: " + answer.error().message);
    HttpResponse response;
    response.status = answer->status;
    response.retry_after_secs = answer->retry_after_secs;
    response.body = std::move(answer->body);
    response.location = std::move(answer->location);
    return response;
  }

 private:
  channels::HttpClientPtr client_ = channels::make_curl_http_client();
};

}  // namespace

HttpTransportPtr make_curl_transport() {
  return std::make_unique<SharedClientTransport>();
}

}  // namespace lnotify::http

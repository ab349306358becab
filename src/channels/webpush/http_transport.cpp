// The Web Push driver's seam over the shared client
// (channels/common/http_client.h).
#include "channels/webpush/http_transport.h"
#include "channels/common/http_client.h"

namespace lnotify::webpush {
namespace {

class SharedClientTransport : public HttpTransport {
 public:
  Result<HttpResponse> post(const HttpRequest& post) override {
    channels::HttpRequest request;
    request.url = post.url;
    request.headers = post.headers;
    request.body = post.body;
    request.addresses = post.addresses;
    request.timeout_ms = post.timeout_ms;
    request.connect_timeout_ms = post.timeout_ms;
    auto answer = client_->send(request);
    if (!answer) {
      Error error = answer.error();
      error.message = "push service not reached: " + error.message;
      return error;
    }
    HttpResponse response;
    response.status = answer->status;
    response.retry_after = std::move(answer->retry_after);
    response.location = std::move(answer->location);
    response.body = std::move(answer->body);
    return response;
  }

 private:
  channels::HttpClientPtr client_ = channels::make_curl_http_client();
};

}  // namespace

HttpTransportPtr make_curl_transport() {
  return std::make_unique<SharedClientTransport>();
}

}  // namespace lnotify::webpush

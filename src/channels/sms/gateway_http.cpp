// The SMS channel's seam over the shared client (channels/common/http_client.h).
#include "channels/sms/gateway_http.h"
#include "channels/common/http_client.h"

namespace lnotify::sms {
namespace {

class SharedClientGatewayHttp : public GatewayHttp {
 public:
  explicit SharedClientGatewayHttp(unsigned timeout_secs) : timeout_ms_(timeout_secs * 1000L) {}

  Result<GatewayReply> get(const std::string& url) override {
    channels::HttpRequest request;
    request.method = channels::HttpRequest::Method::Get;
    request.url = url;
    request.timeout_ms = timeout_ms_;
    request.connect_timeout_ms = timeout_ms_;
    request.max_answer_body = kMaxReplyBody;
    // The error names the host and what failed; never the URL, whose
    // query holds the password.
    auto answer = client_->send(request);
    if (!answer) return temporary_error(answer.error().message);
    GatewayReply reply;
    reply.status = answer->status;
    reply.body = std::move(answer->body);
    reply.retry_after = std::move(answer->retry_after);
    reply.location = std::move(answer->location);
    return reply;
  }

 private:
  int64_t timeout_ms_;
  channels::HttpClientPtr client_ = channels::make_curl_http_client();
};

}  // namespace

GatewayHttpPtr make_curl_gateway_http(unsigned timeout_secs) {
  return std::make_unique<SharedClientGatewayHttp>(timeout_secs);
}

}  // namespace lnotify::sms

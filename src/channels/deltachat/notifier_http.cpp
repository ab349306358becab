// The DELTACHAT channel's seam over the shared client.
#include "channels/deltachat/notifier_http.h"

#include "channels/common/http_client.h"

namespace lnotify::deltachat {
namespace {

class SharedClientNotifierHttp : public NotifierHttp {
 public:
  Result<NotifierAnswer> post(const NotifierPost& post) override {
    channels::HttpRequest request;
    request.method = channels::HttpRequest::Method::Post;
    request.url = post.url;
    request.headers = post.headers;
    // no "Expect: 100-continue" round trip for a body of a few KB
    request.headers.emplace_back("Expect", "");
    request.body = post.body;
    request.timeout_ms = int64_t{post.timeout_secs} * 1000;
    request.connect_timeout_ms = request.timeout_ms;
    auto answer = client_->send(request);
    if (!answer) return temporary_error(answer.error().message);
    NotifierAnswer out;
    out.status = answer->status;
    out.retry_after_secs = answer->retry_after_secs;
    out.body = std::move(answer->body);
    return out;
  }

 private:
  channels::HttpClientPtr client_ = channels::make_curl_http_client();
};

}  // namespace

NotifierHttpPtr make_notifier_http() { return std::make_unique<SharedClientNotifierHttp>(); }

}  // namespace lnotify::deltachat

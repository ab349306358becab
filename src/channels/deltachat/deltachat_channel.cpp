#include "channels/deltachat/deltachat_channel.h"

#include "core/text_util.h"

namespace lnotify::deltachat {

Result<void> classify_notifier_response(const NotifierAnswer& r) {
  const std::string what = "the Delta Chat notifier answered HTTP " + std::to_string(r.status);
  const std::string said =
      r.body.empty() ? "" : ": " + text::quote_for_message(text::trim(r.body), 200);
  if (r.status >= 200 && r.status <= 299) return {};
  if (r.status == 410) {
    // chatmaild notifier.py: 410 means the token is no longer valid.
    Error error = permanent_error(what + " (the device token is no longer valid)" + said);
    error.gone = 410;
    return error;
  }
  Error error = temporary_error(what + said);
  if (r.status >= 300 && r.status <= 399) error.message += " (a redirect, not followed)";
  if (r.retry_after_secs > 0) {
    const int64_t secs = std::min<int64_t>(r.retry_after_secs, 3600);
    error.retry_after_ms = secs * 1000;
    error.message += " (Retry-After: " + std::to_string(secs) + " s)";
  }
  return error;
}

DeltaChatChannel::DeltaChatChannel(DeltaChatConfig config, NotifierHttpPtr http)
    : BlockingChannel(config.workers), config_(std::move(config)), http_(std::move(http)) {}

DeltaChatChannel::~DeltaChatChannel() { stop_workers(); }

Result<void> DeltaChatChannel::validate_destination(std::string_view address) const {
  return validate_token(address);
}

NotifierPost DeltaChatChannel::build_request(const std::string& token) const {
  NotifierPost post;
  post.url = config_.notifier_url;
  post.body = token;
  post.timeout_secs = config_.timeout_secs;
  post.headers = {{"Content-Type", "application/octet-stream"}};
  return post;
}

Result<void> DeltaChatChannel::send_blocking(const Delivery& delivery) {
  const std::string& token = delivery.request.address;
  if (auto valid = validate_token(token); !valid) return valid;
  // build_payload gives the token itself as the payload: nothing else
  // about the message is sent
  auto response = http_->post(build_request(token));
  if (!response)
    return temporary_error("the Delta Chat notifier was not reached: " + response.error().message);
  return classify_notifier_response(*response);
}

}  // namespace lnotify::deltachat

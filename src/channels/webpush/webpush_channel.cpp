#include "channels/webpush/webpush_channel.h"

#include <openssl/sha.h>

#include <algorithm>

#include "channels/common/destination_check.h"
#include "channels/webpush/webpush_response.h"
#include "lnotify/core/base64url.h"

namespace lnotify::webpush {
namespace {

bool listed(const std::vector<std::string>& hosts, std::string_view host) {
  for (const auto& h : hosts) {
    if (h.size() != host.size()) continue;
    bool same = true;
    for (size_t i = 0; i < h.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(h[i])) ==
             std::tolower(static_cast<unsigned char>(host[i]));
    if (same) return true;
  }
  return false;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : " ") + i;
  return out.empty() ? "none" : out;
}

}  // namespace

VapidTokens::VapidTokens(const VapidKey& key, std::string subject, const Clock& clock)
    : key_(key), subject_(std::move(subject)), clock_(clock) {}

Result<std::string> VapidTokens::token_for(const std::string& audience) {
  const int64_t now = clock_.now_ms() / 1000;
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = tokens_.find(audience);
  if (found != tokens_.end() && now < found->second.expires - kVapidRenewBeforeSecs)
    return found->second.jwt;
  const int64_t expires = now + kVapidTokenLifetimeSecs;
  auto jwt = key_.sign_jwt(audience, expires, subject_);
  if (!jwt) return jwt.error();
  tokens_[audience] = Token{*jwt, expires};
  return jwt;
}

std::string push_topic(std::string_view account, std::string_view mailbox) {
  std::string input(account);
  input += '\0';
  input += mailbox;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), 24));
}

std::string_view push_urgency(std::string_view event) {
  return event == "MessageNew" ? "high" : "low";
}

WebPushChannel::WebPushChannel(HttpTransportPtr transport, VapidKey key, WebPushSettings settings,
                               DestinationPolicy policy, const Clock& clock)
    : BlockingChannel(settings.workers),
      transport_(std::move(transport)),
      key_(std::move(key)),
      settings_(std::move(settings)),
      policy_(std::move(policy)),
      clock_(clock),
      tokens_(key_, settings_.subject, clock_) {}

WebPushChannel::~WebPushChannel() { stop_workers(); }

Result<void> WebPushChannel::validate_destination(std::string_view address) const {
  auto endpoint = parse_webpush_endpoint(address);
  if (!endpoint) return endpoint.error();
  if (!endpoint->https && !listed(settings_.http_hosts, endpoint->host))
    return permanent_error("plain http:// is not allowed for " + endpoint->host +
                           " (webpush_allow_http_hosts: " + joined(settings_.http_hosts) + ")");
  return {};
}

Result<HttpRequest> WebPushChannel::build_request(const Delivery& delivery,
                                                  std::vector<std::string> addresses) {
  const NotificationRequest& r = delivery.request;
  auto endpoint = parse_webpush_endpoint(r.address);
  if (!endpoint) return endpoint.error();
  auto jwt = tokens_.token_for(endpoint->origin);
  if (!jwt) return permanent_error("cannot sign the VAPID token: " + jwt.error().message);

  HttpRequest request;
  request.url = r.address;
  request.addresses = std::move(addresses);
  request.timeout_ms = int64_t{settings_.timeout_secs} * 1000;
  const bool validation = !r.validation.empty();
  request.headers = {
      {"TTL", std::to_string(settings_.ttl_secs)},
      // the user waits, with the client open, for the validation push
      {"Urgency", validation ? "high" : std::string(push_urgency(r.event))},
  };
  // A validation push must not be replaced by the next mail's wake-up:
  // it carries no Topic, so nothing collapses with it.
  if (!validation)
    request.headers.emplace_back("Topic", push_topic(r.account.empty() ? r.user : r.account,
                                                     r.mailbox));
  request.headers.emplace_back("Authorization",
                               "vapid t=" + *jwt + ", k=" + key_.public_key());
  if (delivery.payload.content_encoding == "aes128gcm") {
    request.headers.emplace_back("Content-Type", "application/octet-stream");
    request.headers.emplace_back("Content-Encoding", "aes128gcm");
    request.body = delivery.payload.bytes;
  }
  // no "Expect: 100-continue" round trip: the body is small
  request.headers.emplace_back("Expect", "");
  return request;
}

std::optional<int64_t> WebPushChannel::slowed_down(const std::string& origin, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(slow_mutex_);
  auto found = slow_until_.find(origin);
  if (found == slow_until_.end()) return std::nullopt;
  if (found->second <= now_ms) {
    slow_until_.erase(found);
    return std::nullopt;
  }
  return found->second - now_ms;
}

void WebPushChannel::slow_down(const std::string& origin, int64_t until_ms) {
  std::lock_guard<std::mutex> lock(slow_mutex_);
  int64_t& until = slow_until_[origin];
  until = std::max(until, until_ms);
}

Result<void> WebPushChannel::send_blocking(const Delivery& delivery) {
  if (auto valid = validate_destination(delivery.request.address); !valid) return valid;
  auto endpoint = parse_webpush_endpoint(delivery.request.address);
  // UnifiedPush server specification: a push service takes bodies of at
  // most 4096 bytes; a larger one is refused as a 413 would be, so the
  // dispatcher sends a wake-up instead.
  if (delivery.payload.bytes.size() > kMaxPushBody) {
    Error e = permanent_error("the body is " + std::to_string(delivery.payload.bytes.size()) +
                              " bytes, push services take at most " +
                              std::to_string(kMaxPushBody));
    e.too_large = true;
    return e;
  }
  // UnifiedPush: "429 ... slow down": that push service only; other
  // services, and other accounts' notifications to them, are not held.
  if (auto wait = slowed_down(endpoint->origin, clock_.now_ms())) {
    Error e = temporary_error("push service " + endpoint->origin +
                              " asked to slow down (429); not sent for another " +
                              std::to_string((*wait + 999) / 1000) + " s");
    e.retry_after_ms = *wait;
    return e;
  }
  auto addresses = check_destination_host(policy_, endpoint->host);
  if (!addresses) return addresses.error();
  auto request = build_request(delivery, std::move(*addresses));
  if (!request) return request.error();
  auto response = transport_->post(*request);
  if (!response) return response.error();
  const int64_t now = clock_.now_ms();
  auto outcome = outcome_for_response(*response, now);
  if (response->status == 429) {
    const int64_t wait = !outcome && outcome.error().retry_after_ms > 0
                             ? outcome.error().retry_after_ms
                             : kDefaultSlowDownMs;
    slow_down(endpoint->origin, now + wait);
    if (!outcome && outcome.error().retry_after_ms == 0) {
      Error e = outcome.error();
      e.retry_after_ms = wait;
      return e;
    }
  }
  return outcome;
}

}  // namespace lnotify::webpush

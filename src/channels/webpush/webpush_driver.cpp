#include "channels/webpush/webpush_driver.h"

#include "channels/webpush/webpush_channel.h"
#include "core/setting_value.h"
#include "core/text_util.h"
#include "lnotify/metadata/preferences.h"
#include "lnotify/payload/vapid.h"

namespace lnotify::webpush {
namespace {

// Host names or address literals (IPv6 without brackets), lowercased.
Result<std::vector<std::string>> parse_host_list(std::string_view value) {
  std::vector<std::string> hosts;
  while (!(value = text::trim(value)).empty()) {
    size_t end = value.find_first_of(" \t,");
    std::string_view host = value.substr(0, end);
    const std::string url = host.find(':') != std::string_view::npos
                                ? "http://[" + std::string(host) + "]/"
                                : "http://" + std::string(host) + "/";
    auto parsed = parse_webpush_endpoint(url);
    if (!parsed)
      return permanent_error("not a host name or address: " + text::quote_for_message(host));
    hosts.push_back(parsed->host);
    value = end == std::string_view::npos ? std::string_view{} : value.substr(end + 1);
  }
  return hosts;
}

}  // namespace

Result<bool> WebPushDriver::configure(std::string_view key, std::string_view value) {
  if (key == "webpush_vapid_key") {
    auto path = parse_setting_path(key, value);
    if (!path) return path.error();
    config_.vapid_key = std::move(*path);
  } else if (key == "webpush_subject") {
    if (auto valid = validate_vapid_subject(value); !valid)
      return permanent_error("webpush_subject: " + valid.error().message);
    config_.subject = std::string(value);
  } else if (key == "webpush_ttl") {
    // RFC 8030 §5.2: the push service may cap it; four weeks is the
    // longest any documents.
    auto secs = parse_setting_number(key, value, 0, 28 * 86400, "seconds");
    if (!secs) return secs.error();
    config_.ttl_secs = *secs;
  } else if (key == "webpush_timeout") {
    auto secs = parse_setting_number(key, value, 1, 120, "seconds");
    if (!secs) return secs.error();
    config_.timeout_secs = *secs;
  } else if (key == "webpush_allow_http_hosts") {
    auto hosts = parse_host_list(value);
    if (!hosts) return permanent_error("webpush_allow_http_hosts: " + hosts.error().message);
    config_.allow_http_hosts = std::move(*hosts);
  } else {
    return false;
  }
  return true;
}

Result<void> WebPushDriver::check(const channels::DriverContext&, bool enabled) const {
  if (!enabled) return {};
  if (config_.vapid_key.empty())
    return permanent_error(
        "channel WEBPUSH needs webpush_vapid_key (the path of a P-256 "
        "PEM key: openssl ecparam -name prime256v1 -genkey -noout -out FILE)");
  if (config_.subject.empty())
    return permanent_error(
        "channel WEBPUSH needs webpush_subject (a contact for push "
        "services, e.g. mailto:postmaster@example.org)");
  return {};
}

Result<ChannelPtr> WebPushDriver::make(const channels::DriverContext& context) const {
  auto policy = context.destination_policy();
  if (!policy) return policy.error();
  // a bad key stops the service at start-up, not at the first push
  auto key = VapidKey::load_pem_file(config_.vapid_key);
  if (!key) return permanent_error("webpush_vapid_key: " + key.error().message);
  WebPushSettings settings;
  settings.subject = config_.subject;
  settings.ttl_secs = config_.ttl_secs;
  settings.timeout_secs = config_.timeout_secs;
  settings.http_hosts = config_.allow_http_hosts;
  return ChannelPtr(std::make_unique<WebPushChannel>(make_curl_transport(), std::move(*key),
                                                     std::move(settings), std::move(*policy)));
}

// The VAPID public key (RFC 8292) clients read as
// /private/notify/webpush/vapid-key, and the hosts reachable over plain
// http, so SETMETADATA accepts exactly the endpoints the channel sends to.
Result<void> WebPushDriver::describe(Provision& provision) const {
  auto key = VapidKey::load_pem_file(config_.vapid_key);
  if (!key) return permanent_error("webpush_vapid_key: " + key.error().message);
  provision.vapid_key = key->public_key();
  for (const auto& host : config_.allow_http_hosts)
    provision.webpush_http_hosts += (provision.webpush_http_hosts.empty() ? "" : " ") + host;
  return {};
}

channels::ChannelDriverPtr make_driver() {
  return std::make_unique<WebPushDriver>();
}

}  // namespace lnotify::webpush

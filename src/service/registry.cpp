#include "service/registry.h"

#include <unistd.h>

#include "channels/deltachat/deltachat_channel.h"
#include "channels/sip/sip_channel.h"
#include "channels/http/http_channel.h"
#include "channels/sms/sms_channel.h"
#include "channels/udp/udp_channel.h"
#include "channels/xmpp/xmpp_channel.h"
#include "channels/webpush/webpush_channel.h"

namespace lnotify {
namespace {

// draft §11.2 credential.priv: "the source address or identity of the
// server"; the SIP From and Call-ID use it too.
std::string identity_of(const DispatcherConfig& config) {
  if (!config.identity.empty()) return config.identity;
  char name[256] = "";
  if (gethostname(name, sizeof(name) - 1) < 0 || name[0] == '\0') return "localhost";
  return name;
}

Result<sip::ClientSettings> sip_settings(const DispatcherConfig& config) {
  sip::ClientSettings settings;
  settings.identity = identity_of(config);
  settings.timers.t1_ms = config.sip_t1_ms;
  settings.timers.t2_ms = std::max<int64_t>(4000, config.sip_t1_ms);
  if (!config.sip_username.empty())
    settings.credentials = sip::DigestCredentials{config.sip_username, config.sip_password};
  if (!config.sip_outbound_proxy.empty()) {
    auto proxy = sip::parse_host_port(config.sip_outbound_proxy);
    if (!proxy) return permanent_error("sip_outbound_proxy: " + proxy.error().message);
    settings.outbound_proxy = *proxy;
  }
  return settings;
}

Result<ChannelPtr> make_sip_channel(const DispatcherConfig& config, DestinationPolicy policy) {
  auto settings = sip_settings(config);
  if (!settings) return settings.error();
  return ChannelPtr(std::make_unique<sip::SipChannel>(std::move(*settings),
                                                      sip::make_socket_connector(),
                                                      std::move(policy), config.sip_workers));
}

}  // namespace

Result<ChannelPtr> make_channel(ChannelKind kind, const DispatcherConfig& config) {
  auto policy = DestinationPolicy::parse(config.allowed_destinations);
  if (!policy) return permanent_error("allowed_destinations: " + policy.error().message);
  switch (kind) {
    case ChannelKind::Udp:
      return ChannelPtr(
          std::make_unique<udp::UdpChannel>(make_udp_socket_transport(), std::move(*policy)));
    case ChannelKind::Sip:
      return make_sip_channel(config, std::move(*policy));
    case ChannelKind::Http: {
      // Server-to-server only: the targets come from s2s_target lines, and
      // their secrets are read now so a bad one stops the start.
      std::map<std::string, S2sTarget> targets;
      bool any_sip = false;
      for (S2sTarget target : config.s2s_targets) {
        if (auto loaded = load_s2s_secret(target); !loaded) return loaded.error();
        any_sip = any_sip || target.is_sip();
        targets.emplace(target.name, std::move(target));
      }
      // sip= targets (RFC 3842 MWI) share the SIP channel's settings
      // (identity, sip_outbound_proxy, sip_t1_ms), not its user policy.
      http::SipMwiSender sip;
      if (any_sip) {
        auto settings = sip_settings(config);
        if (!settings) return settings.error();
        sip.client = std::make_unique<sip::Client>(std::move(*settings), sip::make_socket_connector());
        sip.imap_host = config.imap_host;
      }
      return ChannelPtr(std::make_unique<http::HttpChannel>(
          std::move(targets), http::make_curl_transport(), http::HttpChannel::kWorkers,
          std::move(sip)));
    }
    case ChannelKind::Sms: {
      if (auto valid = check_sms_config(config.sms); !valid) return valid.error();
      // Only how the wake-up names the mailbox matters here (no signer:
      // the binary wake-up is never signed).
      PayloadOptions wakeup;
      wakeup.mailbox_uri = config.mailbox_uri;
      wakeup.imap_host = config.imap_host;
      return ChannelPtr(std::make_unique<sms::SmsChannel>(
          config.sms, config.identity, std::move(wakeup),
          sms::make_curl_gateway_http(config.sms.timeout_secs)));
    }
    case ChannelKind::Xmpp: {
      // The recipient's JID is not checked against allowed_destinations:
      // the dispatcher connects to its own server only, which routes the
      // message under its own federation policy (README "XMPP channel").
      if (auto ready = check_xmpp_config(config.xmpp); !ready) return ready.error();
      if (!config.xmpp.ca_file.empty() && access(config.xmpp.ca_file.c_str(), R_OK) != 0)
        return permanent_error("xmpp_ca_file " + config.xmpp.ca_file + " cannot be read");
      return ChannelPtr(std::make_unique<xmpp::XmppChannel>(config.xmpp));
    }
    case ChannelKind::WebPush: {
      // a bad key stops the service at start-up, not at the first push
      auto key = VapidKey::load_pem_file(config.webpush_vapid_key);
      if (!key) return permanent_error("webpush_vapid_key: " + key.error().message);
      webpush::WebPushSettings settings;
      settings.subject = config.webpush_subject;
      settings.ttl_secs = config.webpush_ttl_secs;
      settings.timeout_secs = config.webpush_timeout_secs;
      settings.http_hosts = config.webpush_allow_http_hosts;
      return ChannelPtr(std::make_unique<webpush::WebPushChannel>(
          webpush::make_curl_transport(), std::move(*key), std::move(settings),
          std::move(*policy)));
    }
    case ChannelKind::DeltaChat:
      // The notifier is the operator's choice, not a user's destination:
      // allowed_destinations does not apply (doc/channels/deltachat.md).
      return ChannelPtr(std::make_unique<deltachat::DeltaChatChannel>(
          config.deltachat, deltachat::make_notifier_http()));
    default:
      break;
  }
  return permanent_error("this version of lnotify-dispatch has no driver for channel " +
                         std::string(channel_name(kind)));
}

}  // namespace lnotify

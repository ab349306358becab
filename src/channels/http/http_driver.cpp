#include "channels/http/http_driver.h"

#include <map>

#include "channels/http/http_channel.h"

namespace lnotify::http {

Result<bool> HttpDriver::configure(std::string_view key, std::string_view value) {
  if (key == "s2s_target") {
    auto target = parse_s2s_target(value);
    if (!target) return permanent_error("s2s_target: " + target.error().message);
    for (const S2sTarget& other : targets_)
      if (other.name == target->name)
        return permanent_error("s2s_target " + target->name + " is defined twice");
    targets_.push_back(std::move(*target));
    return true;
  }
  if (key == "s2s_mwi_mailboxes") {
    if (value.empty() || value.find_first_of("\t\"") != std::string_view::npos)
      return permanent_error(
          "s2s_mwi_mailboxes must list mailbox names, "
          "space-separated (e.g. INBOX Voicemail)");
    mwi_mailboxes_ = std::string(value);
    return true;
  }
  // sip= targets share the SIP client's settings (sip_outbound_proxy,
  // sip_t1_ms, credentials) with the SIP channel, not its user policy.
  return sip::parse_client_setting(key, value, sip_);
}

Result<void> HttpDriver::check(const channels::DriverContext& context, bool enabled) const {
  if (enabled && context.imap_host.empty())
    return permanent_error(
        "s2s_target needs imap_host (requests carry the message's imap:// "
        "URL, RFC 5092)");
  return {};
}

Result<ChannelPtr> HttpDriver::make(const channels::DriverContext& context) const {
  // The targets' secrets are read now so a bad one stops the start.
  std::map<std::string, S2sTarget> targets;
  bool any_sip = false;
  for (S2sTarget target : targets_) {
    if (auto loaded = load_s2s_secret(target); !loaded) return loaded.error();
    any_sip = any_sip || target.is_sip();
    targets.emplace(target.name, std::move(target));
  }
  SipMwiSender sip;
  if (any_sip) {
    auto settings = sip::make_client_settings(sip_, context.identity);
    if (!settings) return settings.error();
    sip.client = std::make_unique<sip::Client>(std::move(*settings), sip::make_socket_connector());
    sip.imap_host = context.imap_host;
  }
  return ChannelPtr(std::make_unique<HttpChannel>(std::move(targets), make_curl_transport(),
                                                  HttpChannel::kWorkers, std::move(sip)));
}

// The targets and the events each wants (no URLs, no secrets), and the
// mailboxes whose unseen count is the MWI state.
Result<void> HttpDriver::describe(Provision& provision) const {
  provision.s2s = s2s_provision(targets_);
  provision.mwi_mailboxes = targets_.empty() ? "" : mwi_mailboxes_;
  return {};
}

channels::ChannelDriverPtr make_driver() {
  return std::make_unique<HttpDriver>();
}

}  // namespace lnotify::http

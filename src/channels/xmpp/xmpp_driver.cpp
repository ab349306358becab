#include "channels/xmpp/xmpp_driver.h"

#include <unistd.h>

#include "channels/xmpp/xmpp_channel.h"

namespace lnotify::xmpp {

Result<bool> XmppDriver::configure(std::string_view key, std::string_view value) {
  return parse_xmpp_setting(config_, key, value);
}

Result<void> XmppDriver::check(const channels::DriverContext&, bool enabled) const {
  if (!enabled) return {};
  return check_xmpp_config(config_);
}

Result<ChannelPtr> XmppDriver::make(const channels::DriverContext&) const {
  // The recipient's JID is not checked against allowed_destinations: the
  // dispatcher connects to its own server only, which routes the message
  // under its own federation policy (doc/channels/xmpp.md).
  if (auto ready = check_xmpp_config(config_); !ready) return ready.error();
  if (!config_.ca_file.empty() && access(config_.ca_file.c_str(), R_OK) != 0)
    return permanent_error("xmpp_ca_file " + config_.ca_file + " cannot be read");
  return ChannelPtr(std::make_unique<XmppChannel>(config_));
}

// The XMPP channel's "source address" (draft §11.2 credential.priv): the
// account its messages come from, so a client can tell them from anyone
// else's (an xmpp: URI, RFC 5122, of the bare JID).
Result<void> XmppDriver::describe(Provision& provision) const {
  if (!config_.jid.empty())
    provision.credential += " xmpp:" + config_.jid.substr(0, config_.jid.find('/'));
  return {};
}

channels::ChannelDriverPtr make_driver() {
  return std::make_unique<XmppDriver>();
}

}  // namespace lnotify::xmpp

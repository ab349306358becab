// Settings of the XMPP channel (lnotify-dispatch.conf, keys xmpp_*): the
// dispatcher's own account on its XMPP server, and how far it trusts the
// server's certificate. doc/channels/xmpp.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify {

struct XmppConfig {
  std::string jid;       // xmpp_jid: the account notifications are sent from
  std::string password;  // xmpp_password
  // xmpp_server = host[:port]: where to connect; empty: the JID's domain,
  // found through DNS SRV records (RFC 6120 §3.2) as clients do.
  std::string server_host;
  uint16_t server_port = 0;  // 0: 5222 (or the SRV record's port)
  bool require_tls = true;   // xmpp_require_tls: no STARTTLS, no login
  bool verify_tls = true;    // xmpp_tls_verify = no accepts any certificate
  std::string ca_file;       // xmpp_ca_file: PEM CAs trusted besides the system's
};

// Handles one xmpp_* setting. Returns false when key is not an XMPP
// setting, an error when its value is wrong.
Result<bool> parse_xmpp_setting(XmppConfig& config, std::string_view key, std::string_view value);

// What the channel needs to run at all, checked when XMPP is among the
// configured channels.
Result<void> check_xmpp_config(const XmppConfig& config);

}  // namespace lnotify

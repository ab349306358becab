// The SIP client's settings (lnotify-dispatch.conf): shared by the sip
// channel and by server-to-server MWI targets, which both send through
// sip::Client, so each driver reads the same keys.
#pragma once

#include <string>
#include <string_view>

#include "channels/common/sip/sip_client.h"
#include "lnotify/core/result.h"

namespace lnotify::sip {

struct ClientConfig {
  std::string outbound_proxy;  // sip_outbound_proxy: host[:port]; empty: the URI's host
  unsigned t1_ms = 500;        // sip_t1_ms: RFC 3261 T1 (Timer F = 64*T1); lower only for tests
  std::string username;        // sip_username / sip_password: Digest credentials for a
  std::string password;        //   proxy or peer that challenges (401/407); both or neither
};

// One setting; false when key is not one of the client's.
Result<bool> parse_client_setting(std::string_view key, std::string_view value,
                                  ClientConfig& config);
// The settings as a whole (both credentials or neither).
Result<void> check_client_config(const ClientConfig& config);
// The client's settings with the server's identity (From, Call-ID).
Result<ClientSettings> make_client_settings(const ClientConfig& config,
                                            const std::string& identity);

}  // namespace lnotify::sip

// Settings of the SMS channel (lnotify-dispatch.conf, keys sms_*). The
// channel talks to an HTTP SMS gateway: Kannel's sendsms interface, or any
// other gateway through a URL template (doc/channels/sms.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify {

enum class SmsGatewayKind { Kannel, Template };

struct SmsConfig {
  SmsGatewayKind gateway = SmsGatewayKind::Kannel;  // sms_gateway = kannel | template
  // Kannel: the sendsms URL, e.g. http://127.0.0.1:13013/cgi-bin/sendsms
  std::string gateway_url;
  std::string username;  // Kannel sendsms-user (sms_username, sms_password)
  std::string password;
  // template: a URL with placeholders (sms_template_url, see sms_request.h)
  std::string template_url;
  // The sender (from=); empty: the dispatcher's identity; both empty: the
  // gateway's own default (Kannel's global-sender).
  std::string from;
  // EXTENDED as a text SMS carrying the xemn document (draft §5 example:
  // "pushes SMS with the following text: <emn ...>"); "no" sends the
  // binary wake-up for EXTENDED requests too.
  bool extended_as_text = false;
  // A text SMS longer than this many concatenated parts goes as the wake-up.
  unsigned max_parts = 4;
  unsigned timeout_secs = 10;  // per HTTP request, connection included
  // sms_port: the WDP destination port of binary wake-ups (UDH port
  // addressing): 2948, the handset's WAP push dispatcher, or 143, draft
  // Appendix A ("it might make sense to use port 143 for consistency").
  uint16_t port = 2948;
};

// Applies one setting. Returns false when key is not an SMS setting.
Result<bool> parse_sms_setting(std::string_view key, std::string_view value, SmsConfig& config);

// The settings as a whole, checked when the SMS driver is made (start-up): the
// gateway's URL (or template) must be set.
Result<void> check_sms_config(const SmsConfig& config);

// An http:// or https:// URL with a host, an optional port (1-65535) and no
// user:password@ (credentials have their own settings, out of the logs).
Result<void> validate_gateway_url(std::string_view url);

}  // namespace lnotify

// Settings of the DELTACHAT channel (lnotify-dispatch.conf, keys
// deltachat_*; doc/channels/deltachat.md).
#pragma once

#include <string>
#include <string_view>

#include "lnotify/metadata/deltachat.h"
#include "lnotify/core/result.h"

namespace lnotify {

struct DeltaChatConfig {
  // deltachat_notifier_url: where device tokens are POSTed. The
  // operator's choice is trusted (not subject to allowed_destinations);
  // plain http:// only to loopback.
  std::string notifier_url{deltachat::kDefaultNotifierUrl};
  unsigned timeout_secs = 10;  // deltachat_timeout: one request, connecting included
  // deltachat_maxsmtprecipients: served to clients as
  // /shared/vendor/deltachat/maxsmtprecipients; empty: not served
  std::string max_smtp_recipients;
  unsigned workers = 4;  // deltachat_workers: requests in flight at once
};

// Handles one deltachat_* setting. Returns false when key is not one, an
// error when its value is wrong.
Result<bool> parse_deltachat_setting(DeltaChatConfig& config, std::string_view key,
                                     std::string_view value);

}  // namespace lnotify

#include "channels/deltachat/deltachat_driver.h"

#include "channels/deltachat/deltachat_channel.h"
#include "channels/deltachat/notifier_http.h"

namespace lnotify::deltachat {

Result<bool> DeltaChatDriver::configure(std::string_view key, std::string_view value) {
  if (!key.starts_with("deltachat_")) return false;
  return parse_deltachat_setting(config_, key, value);
}

Result<ChannelPtr> DeltaChatDriver::make(const channels::DriverContext&) const {
  // The notifier is the operator's choice, not a user's destination:
  // allowed_destinations does not apply (doc/channels/deltachat.md).
  return ChannelPtr(std::make_unique<DeltaChatChannel>(config_, make_notifier_http()));
}

// XDELTAPUSH and /shared/vendor/deltachat/maxsmtprecipients while it runs.
Result<void> DeltaChatDriver::describe(Provision& provision) const {
  provision.deltachat = "yes";
  provision.deltachat_max_smtp_recipients = config_.max_smtp_recipients;
  return {};
}

channels::ChannelDriverPtr make_driver() { return std::make_unique<DeltaChatDriver>(); }

}  // namespace lnotify::deltachat

#include "channels/common/channel_driver.h"

namespace lnotify::channels {

Result<DestinationPolicy> DriverContext::destination_policy() const {
  auto policy = DestinationPolicy::parse(allowed_destinations);
  if (!policy) return permanent_error("allowed_destinations: " + policy.error().message);
  return policy;
}

PayloadOptions DriverContext::wakeup_options() const {
  PayloadOptions options;
  options.mailbox_uri = mailbox_uri;
  options.imap_host = imap_host;
  return options;
}

}  // namespace lnotify::channels

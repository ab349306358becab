// The administrator's allow-list applied by channel drivers at send time, to
// the host a user chose (a UDP host, the host of a SIP URI). Shared by every
// driver that sends to a user-chosen destination, so they refuse the same
// things with the same words.
#pragma once

#include <string>

#include "lnotify/destination_policy.h"
#include "lnotify/result.h"

namespace lnotify {

// Allowed when the host is listed (an address in a listed network, or a
// listed name); a name that is not listed is resolved and every address it
// resolves to must be allowed (otherwise DNS could point a listed-looking
// name at the internal network). A refusal is permanent.
Result<void> check_destination_host(const DestinationPolicy& policy, const std::string& host);

}  // namespace lnotify

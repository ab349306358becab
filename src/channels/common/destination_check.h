// The administrator's allow-list applied at send time, shared by the
// drivers (internal header). A host that is listed by name passes as it is;
// any other name is resolved and every address it resolves to must lie in a
// listed network, so a name cannot smuggle the dispatcher into a network
// the administrator did not open.
#pragma once

#include <string>
#include <vector>

#include "lnotify/metadata/destination_policy.h"
#include "lnotify/core/result.h"

namespace lnotify {

// The addresses that were checked (empty when the host is allowed as
// listed: an address literal or a listed name). A driver that connects
// itself should connect to exactly these, so a second lookup cannot answer
// differently (DNS rebinding).
Result<std::vector<std::string>> check_destination_host(const DestinationPolicy& policy,
                                                        const std::string& host);

}  // namespace lnotify

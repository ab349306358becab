// A toy channel driver, to prove what adding a channel takes: this folder
// and one row in a driver table. It "sends" into a list and has one
// setting of its own, toy_greeting.
#pragma once

#include <string>
#include <vector>

#include "channels/common/channel_driver.h"

namespace lnotify::toy {

// What the toy channel sent, in order.
std::vector<std::string>& sent();

channels::ChannelDriverPtr make_driver();

}  // namespace lnotify::toy

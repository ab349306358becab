// The UDP channel's row in the driver table (service/registry.cpp).
#pragma once

#include "channels/common/channel_driver.h"

namespace lnotify::udp {

channels::ChannelDriverPtr make_driver();

}  // namespace lnotify::udp

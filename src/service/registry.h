// The table of channel drivers this lnotify-dispatch has: one row per folder
// of src/channels/ (no static self-registration: the dispatcher decides at
// start-up which drivers it runs, from its configuration).
#pragma once

#include <span>

#include "channels/common/channel_driver.h"

namespace lnotify {

struct DispatcherConfig;

using DriverFactory = channels::ChannelDriverPtr (*)();

std::span<const DriverFactory> channel_drivers();

// The channel of one kind, made by its driver from the configuration.
Result<ChannelPtr> make_channel(ChannelKind kind, const DispatcherConfig& config);

}  // namespace lnotify

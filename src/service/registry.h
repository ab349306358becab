// Explicit channel construction (no static self-registration: the dispatcher
// decides at start-up which drivers it runs, from its configuration).
#pragma once

#include "lnotify/dispatcher/channel.h"
#include "service/dispatcher_config.h"

namespace lnotify {

Result<ChannelPtr> make_channel(ChannelKind kind, const DispatcherConfig& config);

}  // namespace lnotify

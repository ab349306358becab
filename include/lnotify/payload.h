// Turns a notification request into the bytes its channel carries (draft §9):
// WAKEUP is an OMA EMN document, EXTENDED an xemn document.
#pragma once

#include "lnotify/channel.h"
#include "lnotify/notification.h"
#include "lnotify/result.h"

namespace lnotify {

inline constexpr std::string_view kXemnContentType = "application/vnd.lnotify.xemn+xml";

Result<Payload> build_payload(const NotificationRequest& request);

}  // namespace lnotify

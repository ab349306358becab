// How the dispatcher names things in its log lines (internal header).
#pragma once

#include <time.h>

#include <string>

#include "lnotify/request/notification.h"

namespace lnotify::dispatch_text {

// "user=alice mailbox=INBOX uid=7 event=MessageNew" (the integration tests
// and administrators' scripts read this form).
inline std::string describe(const NotificationRequest& r) {
  std::string text = "user=" + r.user + " mailbox=" + r.mailbox;
  if (r.test) return text + " test notification";
  return text + " uid=" + std::to_string(r.uid) + " event=" + r.event;
}

// 2026-01-31T12:00:00Z
inline std::string utc(int64_t ms) {
  const time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char text[32];
  strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace lnotify::dispatch_text

// How the dispatcher treats a user's notifications over time: the ledger of
// draft §10, the limits, retries and expiry. Each field is a setting of
// lnotify-dispatch.conf (doc/dispatcher.md).
#pragma once

#include <cstdint>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify {

// "rate_limit = N/S": at most N notifications to one user in any S seconds.
struct RateLimit {
  unsigned count = 0;     // 0: no limit
  unsigned per_secs = 0;

  bool enabled() const { return count > 0; }
};
Result<RateLimit> parse_rate_limit(std::string_view value);

struct DispatchPolicy {
  // Draft §10: "If a MUA does not react to outband notifications, the
  // server MAY stop sending outband notifications, except possibly
  // periodic wake up calls until the client reconnects." After this many
  // unanswered notifications only wake-ups go out, one per
  // wakeup_interval_secs at most. 0: never stop.
  unsigned unanswered_limit = 10;
  unsigned wakeup_interval_secs = 3600;

  // Draft §10 "the server MUST keep track of the outband notifications
  // that are sent via NF, until the MUA react to them": a notification
  // the client does not answer (a datagram or an SMS may be lost) is
  // followed by a wake-up every reminder_interval_secs (0: never), at most
  // reminder_limit times, until the client reacts. The defaults cost an
  // SMS user at most two extra messages per unanswered notification, half
  // an hour apart.
  unsigned reminder_interval_secs = 1800;
  unsigned reminder_limit = 2;

  RateLimit rate_limit{30, 60};
  // What the rate limit holds back is merged into one wake-up per device
  // (true), or waits its turn (false).
  bool coalesce = true;

  // Temporary failures are retried after retry_base_secs, doubling up to
  // retry_max_secs, each delay with random jitter (half to all of it).
  unsigned retry_base_secs = 30;
  unsigned retry_max_secs = 3600;
  // A notification still unsent this long after its event is dropped.
  unsigned expire_secs = 86400;
};

}  // namespace lnotify

// The dispatcher: takes spooled notification requests, turns each into the
// payload its channel needs and sends it. It runs in its own process, so no
// mail delivery ever waits on a gateway.
#pragma once

#include <map>
#include <memory>

#include "lnotify/channel.h"
#include "lnotify/log.h"
#include "lnotify/payload.h"
#include "lnotify/spool.h"

namespace lnotify {

struct DispatchStats {
  size_t sent = 0;
  size_t deferred = 0;  // temporary failure, kept for a later pass
  size_t dropped = 0;   // permanent failure or unreadable record
};

class Dispatcher {
 public:
  Dispatcher(Spool spool, Logger& logger, PayloadOptions payload_options = PayloadOptions{});

  void add_channel(ChannelPtr channel);

  // Claims what writers have queued and tries every active record once.
  DispatchStats run_once();

 private:
  enum class Outcome { Sent, Deferred, Dropped };
  Outcome dispatch_entry(const std::string& entry);

  Spool spool_;
  Logger& logger_;
  PayloadOptions payload_options_;
  std::map<ChannelKind, ChannelPtr> channels_;
};

}  // namespace lnotify

// What the dispatcher learnt about a user's Web Push subscriptions, kept in
// the spool so that the mail processes can show it to the client: when a
// push service answers 404 or 410, the subscription is gone (RFC 8030 §7.3:
// "the push service MUST return a 404 (Not Found) status code" once the
// subscription expired; RFC 8030 §6.2 uses 410 (Gone) for the same). The
// dispatcher sends nothing more to that endpoint; the client sees
//   /private/notify/webpush/status = "gone 410 2026-11-30T03:00:00Z <endpoint>"
// on the server entry (the newest gone endpoint) and subscribes anew: a new
// subscription has a new endpoint, which is sent to as usual.
//
// Layout: <spool>/status/ (mode 0755, the dispatcher's) holds one file per
// account, mode 0644, replaced atomically; its name is the account with
// anything but [A-Za-z0-9._@-] %-escaped. The file is a record
// (record.h) with the account and up to kMaxGoneEndpoints lines
// "gone.N" = "<code> <unix seconds> <endpoint>", newest first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lnotify/core/result.h"

namespace lnotify {

inline constexpr size_t kMaxGoneEndpoints = 16;

struct GoneEndpoint {
  std::string endpoint;
  int code = 0;        // the push service's HTTP status
  int64_t since = 0;   // seconds since the epoch
};

// The file's path for an account.
std::string webpush_status_path(const std::string& spool_dir, std::string_view account);

// Creates <spool>/status/ (the dispatcher, at start-up).
Result<void> prepare_webpush_status_dir(const std::string& spool_dir);

// The account's gone endpoints, newest first; none when there is no file.
Result<std::vector<GoneEndpoint>> read_gone_endpoints(const std::string& spool_dir,
                                                      std::string_view account);

// Records that endpoint is gone (moving it first if it was listed).
Result<void> mark_endpoint_gone(const std::string& spool_dir, std::string_view account,
                                const GoneEndpoint& gone);

// Whether the account's endpoint is recorded as gone.
std::optional<GoneEndpoint> find_gone_endpoint(const std::string& spool_dir,
                                               std::string_view account,
                                               std::string_view endpoint);

// The METADATA value for the newest gone endpoint:
// "gone <code> <YYYY-MM-DDThh:mm:ssZ> <endpoint>".
std::string webpush_status_value(const GoneEndpoint& gone);

}  // namespace lnotify

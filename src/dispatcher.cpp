#include "lnotify/dispatcher.h"

#include "lnotify/payload.h"

namespace lnotify {
namespace {

// A writer renames its record into incoming/ right after closing it; a
// record still in tmp/ after five minutes has lost its writer.
constexpr long kStaleTmpSecs = 300;

std::string describe(const NotificationRequest& r) {
  return "user=" + r.user + " mailbox=" + r.mailbox + " uid=" + std::to_string(r.uid) +
         " event=" + r.event;
}

}  // namespace

Dispatcher::Dispatcher(Spool spool, Logger& logger, PayloadOptions payload_options)
    : spool_(std::move(spool)), logger_(logger), payload_options_(std::move(payload_options)) {}

void Dispatcher::add_channel(ChannelPtr channel) {
  ChannelKind kind = channel->kind();
  channels_[kind] = std::move(channel);
}

DispatchStats Dispatcher::run_once() {
  DispatchStats stats;
  auto stale = spool_.recover_tmp(kStaleTmpSecs);
  for (const auto& entry : stale.recovered)
    logger_.warning("recovered spool entry " + entry + " that its writer left in tmp/");
  for (const auto& entry : stale.removed)
    logger_.warning("removed incomplete spool entry " + entry + " from tmp/");
  if (auto claimed = spool_.claim_incoming(); !claimed)
    logger_.error("cannot take new notifications from the spool: " + claimed.error().message);
  for (const auto& entry : spool_.active_entries()) {
    switch (dispatch_entry(entry)) {
      case Outcome::Sent: ++stats.sent; break;
      case Outcome::Deferred: ++stats.deferred; break;
      case Outcome::Dropped: ++stats.dropped; break;
    }
  }
  return stats;
}

Dispatcher::Outcome Dispatcher::dispatch_entry(const std::string& entry) {
  auto record = spool_.read_active(entry);
  if (!record) {
    if (record.error().temporary()) {
      logger_.warning("spool entry " + entry + " unreadable for now: " + record.error().message);
      return Outcome::Deferred;
    }
    logger_.error("spool entry " + entry + " moved to corrupt/: " + record.error().message);
    spool_.quarantine_active(entry);
    return Outcome::Dropped;
  }
  auto request = decode_request(*record);
  if (!request) {
    logger_.error("spool entry " + entry + " moved to corrupt/: " + request.error().message);
    spool_.quarantine_active(entry);
    return Outcome::Dropped;
  }

  const std::string what = describe(*request);
  auto channel = channels_.find(request->channel);
  if (channel == channels_.end()) {
    logger_.error("notification dropped (" + what + "): channel " +
                  std::string(channel_name(request->channel)) +
                  " is not enabled in the dispatcher's configuration");
    spool_.remove_active(entry);
    return Outcome::Dropped;
  }
  if (auto valid = channel->second->validate_destination(request->address); !valid) {
    logger_.error("notification dropped (" + what + "): " + valid.error().message);
    spool_.remove_active(entry);
    return Outcome::Dropped;
  }
  auto payload = build_payload(*request, payload_options_);
  if (!payload) {
    logger_.error("notification dropped (" + what + "): " + payload.error().message);
    spool_.remove_active(entry);
    return Outcome::Dropped;
  }
  auto sent = channel->second->send(request->address, *payload);
  if (!sent) {
    if (sent.error().temporary()) {
      logger_.warning("notification deferred (" + what + "): " + sent.error().message);
      return Outcome::Deferred;
    }
    logger_.error("notification dropped (" + what + "): " + sent.error().message);
    spool_.remove_active(entry);
    return Outcome::Dropped;
  }
  logger_.info("sent " + std::string(format_name(request->format)) + " over " +
               std::string(channel_name(request->channel)) + " to " + request->address + " (" +
               what + ", " + std::to_string(payload->bytes.size()) + " bytes" +
               (payload->note.empty() ? "" : "; " + payload->note) + ")");
  spool_.remove_active(entry);
  return Outcome::Sent;
}

}  // namespace lnotify

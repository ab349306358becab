// Whether a notification may go now: the client's daily total, the ledger
// of draft §10 and the rate cap. Decided once per notification (when it
// first reaches the head of its account's queue); a retry does not ask
// again.
#include <algorithm>

#include "lnotify/dispatcher/dispatcher.h"

#include "dispatcher/dispatch_text.h"

namespace lnotify {

using dispatch_text::describe;
using dispatch_text::utc;

Dispatcher::Admission Dispatcher::admit(const std::string& account, QueuedNotification& head,
                                        const NotificationRequest& request, int64_t now) {
  // A test, and a server-to-server request (draft §14.8: repeated until
  // acknowledged; the client's ledger and limits are about its device),
  // and a WEBPUSH validation push (the client waits for it to confirm).
  if (request.test || request.s2s || !request.validation.empty()) {
    head.admitted = true;
    return Admission::Send;
  }

  // Draft §11.3 "limit total=N": notifications per day. Holding one back
  // until tomorrow would deliver stale news and spend tomorrow's quota, so
  // it is dropped; the client finds the mail when it next connects.
  // Delta Chat queues per device; the limits are the account's.
  const std::string& user = request.owner();
  const uint32_t sent_today = daily_.sent_on_day_of(user, now);
  if (request.daily_limit > 0 && sent_today >= request.daily_limit) {
    drop(account, head.entry, &request, "lnotify_notification_dropped", "daily_limit",
         "notification dropped (" + describe(request) + "): the client's limit total=" +
             std::to_string(request.daily_limit) + " per day is reached (" +
             std::to_string(sent_today) + " sent today, UTC)",
         LogLevel::Info);
    return Admission::Dropped;
  }

  if (ledger_.quiet(user)) {
    // Draft §10: "the server MAY stop sending outband notifications,
    // except possibly periodic wake up calls until the client reconnects."
    head.wakeup = true;
    const int64_t next_wakeup = ledger_.next_wakeup_ms(user, now);
    if (next_wakeup > now) {
      hold(account, head, Hold::Quiet, next_wakeup, request);
      return Admission::Held;
    }
    merge_followers(account, request, "the periodic wake-up");
  } else {
    const int64_t allowed = rate_.next_allowed_ms(user, now);
    if (allowed > now) {
      hold(account, head, Hold::RateLimit, allowed, request);
      return Admission::Held;
    }
    // What arrived while the rate limit held this one is part of the same
    // burst: with coalesce = yes it goes in the same wake-up.
    if (head.hold == Hold::RateLimit && policy_.coalesce) {
      merge_followers(account, request, "one wake-up");
      if (head.merged > 0) head.wakeup = true;
    }
  }
  if (request.channel == ChannelKind::DeltaChat) {
    // A Delta Chat wake-up carries nothing but the token: whatever is
    // queued for the device behind it is the same wake-up.
    merge_followers(account, request, "one Delta Chat wake-up");
  }
  head.admitted = true;
  head.hold = Hold::None;
  return Admission::Send;
}

void Dispatcher::hold(const std::string& account, QueuedNotification& head, Hold why,
                      int64_t until, const NotificationRequest& request) {
  // The ledger always merges (its wake-up stands for everything held);
  // the rate limit merges a burst into one wake-up when coalesce = yes,
  // else each notification waits its turn.
  const bool merge =
      why == Hold::Quiet || policy_.coalesce || request.channel == ChannelKind::DeltaChat;
  const uint32_t merged_before = head.merged;
  if (merge) {
    merge_followers(account, request, why == Hold::Quiet ? "the periodic wake-up" : "one wake-up");
    QueuedNotification* current = queue_.head(account);
    if (current->merged > 0) current->wakeup = true;
  }
  QueuedNotification* current = queue_.head(account);
  const bool newly = current->hold != why || current->merged != merged_before;
  current->hold = why;
  // Never past its expiry: it is dropped on time, not when the hold ends.
  current->not_before_ms = std::min(until, current->expires_ms);
  queue_.reschedule(account);
  if (!newly) return;

  std::string reason;
  if (why == Hold::Quiet) {
    const UserLedger* user = ledger_.find(request.owner());
    reason = std::to_string(user != nullptr ? user->unanswered : 0) +
             " notification(s) unanswered since " +
             utc(user != nullptr ? user->since_ms : 0) + " (unanswered_limit = " +
             std::to_string(policy_.unanswered_limit) + "): next periodic wake-up at " + utc(until);
  } else {
    reason = "rate_limit = " + std::to_string(policy_.rate_limit.count) + "/" +
             std::to_string(policy_.rate_limit.per_secs) + " reached: next at " + utc(until);
  }
  if (current->merged > 0)
    reason += ", one wake-up for " + std::to_string(current->merged + 1) + " notifications";
  logger_.log_event(LogLevel::Info,
                    LogEvent{.name = "lnotify_notification_held", .user = account,
                             .channel = channel_name(request.channel),
                             .reason = why == Hold::Quiet ? "quiet" : "rate_limit"},
                    "notification held (" + describe(request) + "): " + reason);
}

void Dispatcher::merge_followers(const std::string& account, const NotificationRequest& request,
                                 const char* into) {
  const auto merged_away = queue_.merge_run(account);
  for (const std::string& entry : merged_away) {
    spool_.remove_active(entry);
    logger_.log_event(LogLevel::Info,
                      LogEvent{.name = "lnotify_notification_merged", .user = account,
                               .channel = channel_name(request.channel), .reason = "coalesced"},
                      "notification " + entry + " for " + account + " merged into " + into);
  }
}

}  // namespace lnotify

// Reminders: the tracking of draft §10 that acts. "Because outband
// notifications may be sent over unreliable channels (i.e., they may be
// lost or delayed), the server MUST keep track of the outband notifications
// that are sent via NF, until the MUA react to them." A wake-up that was
// lost (a UDP datagram, an SMS) is repeated: reminder_interval after a
// notification went out unanswered, a wake-up goes to the same device, up to
// reminder_limit times, until the client reacts (an IMAP login or SELECT).
//
// A due reminder becomes a spool record of its own, so from there it is an
// ordinary notification: in its account's order, behind anything queued,
// under the ledger, the daily total and the rate cap, with a sequence-id.
// Pending reminders live in memory: a restart forgets them (the next
// notification arms them again); nothing a user was sent is lost by that.
#include <algorithm>

#include "lnotify/dispatcher/dispatcher.h"

#include "dispatcher/dispatch_text.h"

namespace lnotify {

using dispatch_text::utc;

std::optional<int64_t> Dispatcher::next_due_ms() const {
  std::optional<int64_t> due = queue_.next_due_ms();
  if (!reminder_due_.empty()) {
    const int64_t reminder = reminder_due_.begin()->first;
    if (!due || reminder < *due) due = reminder;
  }
  return due;
}

void Dispatcher::arm_reminder(const std::string& account, const NotificationRequest& sent,
                              int64_t now) {
  if (policy_.reminder_interval_secs == 0 || policy_.reminder_limit == 0) return;
  // The one just sent was the last reminder allowed: nothing more until a
  // new notification (or the client reacts).
  if (sent.reminder >= policy_.reminder_limit) {
    cancel_reminder(account);
    return;
  }
  // Past unanswered_limit the ledger's periodic wake-ups take over.
  if (ledger_.quiet(account)) {
    cancel_reminder(account);
    return;
  }
  Reminder reminder;
  NotificationRequest& w = reminder.wakeup;
  // A wake-up to the same device: the account, the mailbox and the
  // destination, none of the message's facts.
  w.user = sent.user;
  w.account = sent.account;
  w.mailbox = sent.mailbox;
  w.uidvalidity = sent.uidvalidity;
  w.channel = sent.channel;
  w.format = PayloadFormat::Wakeup;
  w.address = sent.address;
  w.size_limit = sent.size_limit;
  w.daily_limit = sent.daily_limit;
  w.device_p256dh = sent.device_p256dh;
  w.device_auth = sent.device_auth;
  w.reminder = sent.reminder + 1;
  // A reminder's reminder keeps the time of the notification it repeats.
  const auto previous = reminders_.find(account);
  reminder.since_ms =
      sent.reminder > 0 && previous != reminders_.end() ? previous->second.since_ms : now;
  reminder.due_ms = now + int64_t{policy_.reminder_interval_secs} * 1000;
  cancel_reminder(account);
  reminder_due_.emplace(reminder.due_ms, account);
  reminders_.insert_or_assign(account, std::move(reminder));
}

void Dispatcher::cancel_reminder(const std::string& account) {
  auto it = reminders_.find(account);
  if (it == reminders_.end()) return;
  reminder_due_.erase({it->second.due_ms, account});
  reminders_.erase(it);
}

void Dispatcher::queue_due_reminders(int64_t now) {
  bool queued = false;
  while (!reminder_due_.empty() && reminder_due_.begin()->first <= now) {
    const std::string account = reminder_due_.begin()->second;
    reminder_due_.erase(reminder_due_.begin());
    auto it = reminders_.find(account);
    if (it == reminders_.end()) continue;
    Reminder reminder = std::move(it->second);
    reminders_.erase(it);
    if (queue_.head(account) != nullptr) {
      // Something for the account is queued or on its way: it tells the
      // client again (and arms the next reminder once it went out).
      logger_.debug("reminder " + std::to_string(reminder.wakeup.reminder) + " for " + account +
                    " not needed: a notification is queued");
      continue;
    }
    NotificationRequest& wakeup = reminder.wakeup;
    wakeup.timestamp = now / 1000;
    auto entry = spool_.submit(wakeup, false);
    if (!entry) {
      logger_.error("cannot queue reminder " + std::to_string(wakeup.reminder) + " for " +
                    account + ": " + entry.error().message);
      continue;
    }
    logger_.log_event(LogLevel::Info,
                      LogEvent{.name = "lnotify_reminder_queued", .user = account,
                               .channel = channel_name(wakeup.channel), .reason = "unanswered"},
                      "reminder " + std::to_string(wakeup.reminder) + " of " +
                          std::to_string(policy_.reminder_limit) + " for " + account +
                          " queued: no reaction since " + utc(reminder.since_ms) +
                          " (reminder_interval = " +
                          std::to_string(policy_.reminder_interval_secs) + " s)");
    queued = true;
  }
  if (queued) claim();
}

}  // namespace lnotify

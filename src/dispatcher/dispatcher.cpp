#include "lnotify/dispatcher/dispatcher.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <unordered_set>

#include "lnotify/dispatcher/backoff.h"
#include "lnotify/payload/payload.h"
#include "dispatcher/dispatch_text.h"
#include "lnotify/spool/reaction.h"
#include "lnotify/spool/webpush_status.h"
#include "lnotify/metadata/deltachat.h"

namespace lnotify {
namespace {

// This boot of the machine (Linux); empty when unknown, which recovery
// treats as a restart.
std::string current_boot_id() {
  std::string id;
  if (FILE* f = std::fopen("/proc/sys/kernel/random/boot_id", "re")) {
    char buf[64];
    if (std::fgets(buf, sizeof(buf), f) != nullptr) id = buf;
    std::fclose(f);
  }
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

using dispatch_text::describe;

// A writer renames its record into incoming/ right after closing it; a
// record still in tmp/ after five minutes has lost its writer.
constexpr long kStaleTmpSecs = 300;
// The journal is rewritten from memory once it is this large and four
// times the last snapshot.
constexpr size_t kMinJournalBytes = 1 << 20;
constexpr int64_t kHousekeepingMs = 60 * 1000;

// The queue key: a user's FIFO. Server-to-server requests have one per
// target and user, so neither the user's own channel nor another target
// holds them back (draft §14.7: order per user and target).
// Delta Chat has one per device (deltachat::queue_key): a device whose
// proxy requests are retried holds back none of the account's others, and
// a burst for one device merges into one wake-up.
std::string account_of(const NotificationRequest& r) {
  const std::string& account = r.account.empty() ? r.user : r.account;
  if (r.s2s) return "s2s:" + r.address + ":" + account;
  if (r.channel == ChannelKind::DeltaChat) return deltachat::queue_key(r.address, account);
  return account;
}

// Server-to-server outcomes have names of their own (doc/dispatcher.md (Metrics)):
// lnotify_s2s_sent, _retried, _expired, _request_error (draft §14.5.3),
// _failed, _dropped.
std::string_view event_for(const NotificationRequest* r, std::string_view name,
                           std::string_view reason = {}) {
  if (r == nullptr || !r->s2s) return name;
  if (name == "lnotify_notification_sent") return "lnotify_s2s_sent";
  if (name == "lnotify_notification_retried") return "lnotify_s2s_retried";
  if (reason == "expired") return "lnotify_s2s_expired";
  if (reason == "permanent_failure") return "lnotify_s2s_request_error";
  if (name == "lnotify_notification_failed") return "lnotify_s2s_failed";
  return "lnotify_s2s_dropped";
}

// A destination as log lines and doveadm lnotify list show it: a Delta
// Chat token is a credential for the proxy, so only its short name.
std::string shown_address(const NotificationRequest& r) {
  return r.channel == ChannelKind::DeltaChat ? deltachat::token_label(r.address) : r.address;
}

uint64_t device_hash(const NotificationRequest& r) {
  return std::hash<std::string>{}(std::string(channel_name(r.channel)) + ' ' + r.address);
}

int64_t realtime_us() {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return int64_t{now.tv_sec} * 1000000 + now.tv_nsec / 1000;
}

// A spool entry's name starts with the microsecond it was created at, in
// hex (spool.cpp): the hand-over time, for the queue-time figure.
int64_t entry_created_us(const std::string& entry) {
  return static_cast<int64_t>(std::strtoull(entry.substr(0, 16).c_str(), nullptr, 16));
}

uint64_t elapsed_us(int64_t from, int64_t to) {
  return from > 0 && to > from ? static_cast<uint64_t>(to - from) : 0;
}

std::string seconds(int64_t ms) {
  return std::to_string((ms + 999) / 1000) + " s";
}

}  // namespace

struct Dispatcher::Ready {
  std::string account;
  std::string entry;
  NotificationRequest request;
};

Dispatcher::Dispatcher(Spool spool, Logger& logger, DispatcherOptions options)
    : spool_(std::move(spool)),
      logger_(logger),
      payload_options_(std::move(options.payload)),
      policy_(options.policy),
      state_dir_(std::move(options.state_dir)),
      clock_(options.clock != nullptr ? *options.clock : system_clock()),
      random_(options.random ? std::move(options.random) : make_random_source()),
      ledger_(policy_, journal_),
      rate_(policy_.rate_limit) {}

Dispatcher::~Dispatcher() {
  // Joins the drivers' workers first: a send in progress finishes (its
  // outcome is not applied; the entry stays in active/ and goes again at
  // the next start).
  channels_.clear();
  try {
    // An orderly stop: everything is written and flushed, so the next
    // start continues every device's sequence-ids without a gap even
    // after a reboot (SequenceStore::recover).
    // The line goes last: a snapshot taken by save_state would drop it.
    save_state(false);
    if (journal_.is_open()) {
      sequences_.mark_clean_stop();
      if (auto written = journal_.write(true); !written)
        logger_.error("cannot write the state journal: " + written.error().message);
    }
  } catch (...) {
    // Nothing more can be done at exit; what was not written is replayed
    // from the spool (a sequence-id is always written before its send).
  }
}

void Dispatcher::add_channel(ChannelPtr channel) {
  ChannelKind kind = channel->kind();
  channels_[kind] = std::move(channel);
}

Result<void> Dispatcher::start() {
  size_t unknown = 0;
  auto opened = journal_.open(state_dir_, [&](const StateJournal::Line& line) {
    // A "sent" line feeds both the ledger and the daily counts.
    bool known = sequences_.apply(line);
    known = ledger_.apply(line) || known;
    known = daily_.apply(line) || known;
    if (!known) ++unknown;
  });
  if (!opened) return opened;
  if (unknown + journal_.skipped_lines() > 0)
    logger_.warning("state journal in " + state_dir_ + ": ignored " +
                    std::to_string(unknown + journal_.skipped_lines()) + " line(s) it did not understand");
  if (const size_t skipped = sequences_.recover(current_boot_id()); skipped > 0)
    logger_.warning("the machine restarted since the dispatcher last ran and it had not stopped "
                    "cleanly: sequence-ids of " + std::to_string(skipped) +
                    " device(s) skip to the end of their reservation, so their clients see a gap "
                    "(notifications sent just before may be lost from the journal, never reused)");

  // A previous process was killed or crashed: what it had claimed is in
  // active/ and goes out again (at least once, with the sequence-id it was
  // given if it had one).
  const auto left = spool_.active_entries();
  for (const auto& entry : left) take_up(entry, true);
  std::unordered_set<std::string> queued;
  queue_.for_each([&](const std::string&, const QueuedNotification& n) { queued.insert(n.entry); });
  sequences_.retain([&](const std::string& entry) { return queued.count(entry) > 0; });
  if (!left.empty())
    logger_.info("resumed " + std::to_string(queue_.size()) +
                 " notification(s) left in active/ by the previous process");

  // Start from a compact journal.
  StateJournal::Snapshot snapshot;
  sequences_.snapshot(snapshot);
  ledger_.snapshot(snapshot);
  daily_.snapshot(snapshot);
  if (auto written = journal_.rewrite(snapshot); !written)
    return permanent_error("cannot write the state journal: " + written.error().message);
  snapshot_size_ = snapshot.text().size();

  if (channels_.count(ChannelKind::WebPush) > 0 || channels_.count(ChannelKind::DeltaChat) > 0) {
    if (auto made = prepare_webpush_status_dir(spool_.directory()); !made) return made;
  }

  recover_stale_tmp();
  while (claim()) {
  }
  return {};
}

void Dispatcher::recover_stale_tmp() {
  auto stale = spool_.recover_tmp(kStaleTmpSecs);
  for (const auto& entry : stale.recovered)
    logger_.warning("recovered spool entry " + entry + " that its writer left in tmp/");
  for (const auto& entry : stale.removed)
    logger_.warning("removed incomplete spool entry " + entry + " from tmp/");
}

bool Dispatcher::claim() {
  auto claimed = spool_.claim_incoming(kClaimBatch);
  if (!claimed) {
    logger_.error("cannot take new notifications from the spool: " + claimed.error().message);
    return false;
  }
  for (const auto& entry : *claimed) take_up(entry, false);
  // A reaction's journal line must not wait for the next pass: its spool
  // record is already gone.
  save_state(false);
  return claimed->size() == kClaimBatch;
}

void Dispatcher::take_up(const std::string& entry, bool after_restart) {
  auto record = spool_.read_active(entry);
  if (!record) {
    if (record.error().temporary()) {
      logger_.error("spool entry " + entry + " unreadable for now (taken up at the next start): " +
                    record.error().message);
      return;
    }
    drop("", entry, nullptr, "lnotify_notification_dropped", "corrupt",
         "spool entry " + entry + " moved to corrupt/: " + record.error().message, LogLevel::Error);
    return;
  }
  if (is_reaction_record(*record)) {
    auto reaction = decode_reaction(*record);
    if (!reaction) {
      drop("", entry, nullptr, "lnotify_notification_dropped", "corrupt",
           "spool entry " + entry + " moved to corrupt/: " + reaction.error().message,
           LogLevel::Error);
      return;
    }
    apply_reaction(entry, *reaction);
    return;
  }
  auto request = decode_request(*record);
  if (!request) {
    drop("", entry, nullptr, "lnotify_notification_dropped", "corrupt",
         "spool entry " + entry + " moved to corrupt/: " + request.error().message, LogLevel::Error);
    return;
  }
  const std::string account = account_of(*request);
  if (request->mwi && mwi_unchanged(account, *request)) {
    // Draft §14.4: MWI is ON or OFF; an update that changes neither is
    // not sent (each one carries the full state, so none is needed).
    spool_.remove_active(entry);
    logger_.debug("MWI unchanged for " + account + " (" + (request->unseen > 0 ? "ON" : "OFF") +
                  "): " + entry + " not sent");
    return;
  }
  auto channel = channels_.find(request->channel);
  if (channel == channels_.end()) {
    drop(account, entry, &*request, "lnotify_notification_failed", "channel_disabled",
         "notification dropped (" + describe(*request) + "): channel " +
             std::string(channel_name(request->channel)) +
             " is not enabled in the dispatcher's configuration",
         LogLevel::Error);
    return;
  }
  if (auto valid = channel->second->validate_destination(request->address); !valid) {
    drop(account, entry, &*request, "lnotify_notification_failed", "invalid_address",
         "notification dropped (" + describe(*request) + "): " + valid.error().message,
         LogLevel::Error);
    return;
  }

  const int64_t now = clock_.now_ms();
  QueuedNotification queued;
  queued.entry = entry;
  queued.not_before_ms = now;
  if (!after_restart) queued.claimed_us = realtime_us();
  const int64_t since = request->timestamp > 0 ? request->timestamp * 1000 : now;
  int64_t expire_secs = policy_.expire_secs;
  // chatmail's relay gives a wake-up up after 5 hours of retries: a later
  // one would wake the device for mail it has long fetched.
  if (request->channel == ChannelKind::DeltaChat)
    expire_secs = std::min<int64_t>(expire_secs, deltachat::kGiveUpSecs);
  queued.expires_ms = since + expire_secs * 1000;
  queued.device = device_hash(*request);
  // It was given a sequence-id, so it passed the ledger and the limits
  // before: it is only to be sent again.
  queued.admitted = after_restart && sequences_.assigned(entry).has_value();
  queue_.push(account, std::move(queued));
}

bool Dispatcher::mwi_unchanged(const std::string& key, const NotificationRequest& request) {
  const bool on = request.unseen > 0;
  auto [it, inserted] = mwi_state_.try_emplace(key, on);
  if (inserted) return false;
  if (it->second == on) return true;
  it->second = on;
  return false;
}

void Dispatcher::apply_reaction(const std::string& entry, const ClientReaction& reaction) {
  const int64_t now = clock_.now_ms();
  const uint32_t answered = ledger_.react(reaction.account, now);
  std::string message = "client of " + reaction.account + " reacted (" +
                        (reaction.how.empty() ? std::string("login") : reaction.how) + "): " +
                        std::to_string(answered) + " unanswered notification(s) answered";
  // A wake-up the ledger was holding back is no longer needed: the client
  // is looking at the mailbox store.
  QueuedNotification* head = queue_.head(reaction.account);
  if (head != nullptr && head->hold == Hold::Quiet && !head->admitted) {
    message += "; the pending wake-up (for " + std::to_string(head->merged + 1) +
               " notification(s)) is cancelled";
    const std::string held = head->entry;
    queue_.pop_head(reaction.account);
    spool_.remove_active(held);
  }
  // What is still queued happened before the client looked: once sent it
  // needs no answer (a client's own Login, sent with presence ignored, is
  // one of them).
  queue_.for_each_of(reaction.account, [](QueuedNotification& n) { n.answered = true; });
  if (reminders_.count(reaction.account) != 0) {
    message += "; reminders stop";
    cancel_reminder(reaction.account);
  }
  spool_.remove_active(entry);
  logger_.log_event(LogLevel::Info, LogEvent{.name = "lnotify_client_reacted", .user = reaction.account,
                                              .reason = reaction.how},
                    message);
}

std::optional<NotificationRequest> Dispatcher::load(const std::string& account,
                                                    const QueuedNotification& queued) {
  const std::string entry = queued.entry;
  auto record = spool_.read_active(entry);
  if (!record) {
    drop(account, entry, nullptr, "lnotify_notification_dropped", "corrupt",
         "spool entry " + entry + " moved to corrupt/: " + record.error().message, LogLevel::Error);
    return std::nullopt;
  }
  auto request = decode_request(*record);
  if (!request) {
    drop(account, entry, nullptr, "lnotify_notification_dropped", "corrupt",
         "spool entry " + entry + " moved to corrupt/: " + request.error().message, LogLevel::Error);
    return std::nullopt;
  }
  return std::move(*request);
}

DispatchStats Dispatcher::run_due(size_t budget) {
  DispatchStats stats;
  const int64_t now = clock_.now_ms();
  if (now - last_housekeeping_ms_ >= kHousekeepingMs) {
    rate_.forget_idle(now);
    daily_.forget_past_days(now);
    last_housekeeping_ms_ = now;
  }

  queue_due_reminders(now);

  std::vector<Ready> ready;
  for (const std::string& account : queue_.due_accounts(now, budget)) {
    // One notification per account and pass: whether the next may go
    // depends on how this one fares.
    for (;;) {
      QueuedNotification* head = queue_.head(account);
      if (head == nullptr || head->not_before_ms > now) break;
      auto request = load(account, *head);
      if (!request) {
        ++stats.dropped;
        continue;
      }
      if (now >= head->expires_ms) {
        drop(account, head->entry, &*request, "lnotify_notification_dropped", "expired",
             "notification dropped (" + describe(*request) + "): expired after " +
                 std::to_string(head->attempts) + " attempt(s) (expire = " +
                 std::to_string(policy_.expire_secs) + " s)" +
                 (head->last_error ? "; last error: " + *head->last_error : ""),
             LogLevel::Warning);
        ++stats.dropped;
        continue;
      }
      if (request->channel == ChannelKind::WebPush) {
        // A subscription the push service reported gone gets nothing more,
        // whatever was queued for it before or after.
        if (auto gone = find_gone_endpoint(spool_.directory(), account, request->address)) {
          drop(account, head->entry, &*request, "lnotify_notification_dropped", "subscription_gone",
               "notification dropped (" + describe(*request) +
                   "): the Web Push subscription is gone (" + webpush_status_value(*gone) +
                   "); nothing is sent to it until the client stores a new one",
               LogLevel::Warning);
          ++stats.dropped;
          continue;
        }
      }
      if (request->channel == ChannelKind::DeltaChat) {
        // A token the proxy answered 410 for gets nothing more, unless the
        // client stored it again after that (a newer notification).
        auto gone = find_gone_endpoint(spool_.directory(), deltachat::gone_key(request->owner()),
                                       deltachat::token_label(request->address));
        if (gone && request->timestamp <= gone->since) {
          drop(account, head->entry, &*request, "lnotify_notification_dropped", "token_gone",
               "notification dropped (" + describe(*request) + "): the Delta Chat device " +
                   deltachat::token_label(request->address) +
                   " is gone (the notifier answered " + std::to_string(gone->code) + ")",
               LogLevel::Info);
          ++stats.dropped;
          continue;
        }
      }
      if (!head->admitted) {
        const std::string loaded = head->entry;
        Admission admission = admit(account, *head, *request, now);
        if (admission == Admission::Dropped) {
          ++stats.dropped;
          continue;
        }
        if (admission == Admission::Held) {
          ++stats.held;
          break;
        }
        head = queue_.head(account);
        if (head->entry != loaded) {
          // Merging handed the head a newer entry: send its facts.
          request = load(account, *head);
          if (!request) {
            ++stats.dropped;
            continue;
          }
        }
      }
      ready.push_back(Ready{account, head->entry, std::move(*request)});
      break;
    }
  }
  if (ready.empty()) {
    save_state(false);
    return stats;
  }

  // The sequence-ids must be written before any of these leaves, and a new
  // reservation flushed (SequenceStore: a crash of this process keeps what
  // was written; a crash of the machine keeps what was flushed).
  for (Ready& r : ready)
    r.request.sequence_id = sequences_.assign(r.entry, SequenceStore::device_key(r.request));
  const bool flush = sequences_.sync_needed();
  if (auto written = journal_.write(flush); !written) {
    logger_.error("cannot write the state journal, nothing is sent until it can be: " +
                  written.error().message);
    for (Ready& r : ready) {
      QueuedNotification* head = queue_.head(r.account);
      head->not_before_ms = now + int64_t{policy_.retry_base_secs} * 1000;
      queue_.reschedule(r.account);
      ++stats.retried;
    }
    return stats;
  }
  if (flush) sequences_.flushed();
  for (Ready& r : ready) send(r, stats);
  // Immediate channels have answered already.
  const DispatchStats answered = collect();
  stats.sent += answered.sent;
  stats.retried += answered.retried;
  stats.dropped += answered.dropped;
  return stats;
}

void Dispatcher::send(Ready& ready, DispatchStats& stats) {
  QueuedNotification* head = queue_.head(ready.account);
  NotificationRequest& request = ready.request;
  if (head->wakeup) request.format = PayloadFormat::Wakeup;

  auto payload = build_payload(request, payload_options_);
  if (!payload) {
    drop(ready.account, ready.entry, &request, "lnotify_notification_failed", "payload",
         "notification dropped (" + describe(request) + " seq=" +
             std::to_string(request.sequence_id) + "): " + payload.error().message,
         LogLevel::Error);
    ++stats.dropped;
    return;
  }
  // Not due again until its channel answers: later notifications of the
  // account wait behind it, which keeps them in order.
  head->hold = Hold::InFlight;
  head->not_before_ms = std::numeric_limits<int64_t>::max();
  queue_.reschedule(ready.account);

  const uint64_t ticket = ++next_ticket_;
  in_flight_.emplace(ticket, InFlight{ready.account, ready.entry, request, payload->bytes.size(),
                                      payload->note, entry_created_us(ready.entry),
                                      head->claimed_us, realtime_us()});
  std::shared_ptr<CompletionQueue> completions = completions_;
  channels_.at(request.channel)
      ->deliver(Delivery{std::move(request), std::move(*payload)},
                [completions, ticket](Result<void> outcome) {
                  completions->post(ticket, std::move(outcome));
                });
}

DispatchStats Dispatcher::collect() {
  DispatchStats stats;
  for (auto& outcome : completions_->take()) {
    auto found = in_flight_.find(outcome.ticket);
    if (found == in_flight_.end()) continue;
    InFlight sent = std::move(found->second);
    in_flight_.erase(found);
    finish(sent, std::move(outcome.result), stats);
  }
  save_state(false);
  return stats;
}

void Dispatcher::finish(InFlight& sent, Result<void> outcome, DispatchStats& stats) {
  QueuedNotification* head = queue_.head(sent.account);
  // An administrator deleted it while it was on its way.
  if (head == nullptr || head->entry != sent.entry || head->hold != Hold::InFlight) return;
  const int64_t now = clock_.now_ms();
  const NotificationRequest& request = sent.request;
  const std::string channel = std::string(channel_name(request.channel));
  const std::string what = describe(request) + " seq=" + std::to_string(request.sequence_id);

  if (!outcome && outcome.error().temporary()) {
    const Error& error = outcome.error();
    head->attempts++;
    head->last_error = std::make_unique<std::string>(error.message);
    const int64_t delay = std::max(backoff_delay_ms(policy_, head->attempts, random_->uniform()),
                                   error.retry_after_ms);
    head->not_before_ms = std::min(now + delay, head->expires_ms);
    head->hold = Hold::Retry;
    queue_.reschedule(sent.account);
    logger_.log_event(LogLevel::Warning,
                      LogEvent{.name = event_for(&request, "lnotify_notification_retried"),
                               .user = sent.account, .channel = channel,
                               .reason = "temporary_failure",
                               .error = error.message, .sequence_id = request.sequence_id,
                               .attempts = head->attempts},
                      "notification deferred (" + what + "): " + error.message + "; attempt " +
                          std::to_string(head->attempts) + " failed, next in " +
                          seconds(head->not_before_ms - now));
    ++stats.retried;
    return;
  }
  if (!outcome && outcome.error().too_large && !head->wakeup && !request.s2s &&
      request.format != PayloadFormat::Wakeup) {
    // The peer takes no payload this large; a wake-up still tells the
    // client to look.
    head->wakeup = true;
    head->hold = Hold::Retry;
    head->not_before_ms = now;
    queue_.reschedule(sent.account);
    logger_.log_event(LogLevel::Warning,
                      LogEvent{.name = "lnotify_notification_retried", .user = sent.account,
                               .channel = channel, .reason = "too_large",
                               .error = outcome.error().message,
                               .sequence_id = request.sequence_id},
                      "notification refused as too large (" + what + "): " +
                          outcome.error().message + "; sending a wake-up instead");
    ++stats.retried;
    return;
  }
  if (!outcome && outcome.error().gone && request.channel == ChannelKind::DeltaChat) {
    // Remembered in the spool, where the mail processes find it and remove
    // the token from the user's METADATA (doc/channels/deltachat.md).
    const std::string label = deltachat::token_label(request.address);
    const GoneEndpoint gone{label, outcome.error().gone, now / 1000};
    std::string note = "; the token is forgotten";
    if (auto marked = mark_endpoint_gone(spool_.directory(), deltachat::gone_key(request.owner()),
                                         gone);
        !marked)
      note = "; cannot record it: " + marked.error().message;
    drop(sent.account, sent.entry, &request, "lnotify_notification_failed", "token_gone",
         "notification dropped (" + what + "): " + outcome.error().message + note,
         LogLevel::Warning);
    ++stats.dropped;
    return;
  }
  if (!outcome && outcome.error().gone) {
    // Remembered in the spool, where the mail processes show it to the
    // client as /private/notify/webpush/status.
    const GoneEndpoint gone{request.address, outcome.error().gone, now / 1000};
    std::string note = "; /private/notify/webpush/status now says so";
    if (auto marked = mark_endpoint_gone(spool_.directory(), sent.account, gone); !marked)
      note = "; cannot record it for the client: " + marked.error().message;
    drop(sent.account, sent.entry, &request, "lnotify_notification_failed", "subscription_gone",
         "notification dropped (" + what + "): " + outcome.error().message + note,
         LogLevel::Warning);
    ++stats.dropped;
    return;
  }
  if (!outcome) {
    // Draft §14.5.3 separates "request errors" from other causes: a
    // request the channel refuses is never retried.
    drop(sent.account, sent.entry, &request, "lnotify_notification_failed", "permanent_failure",
         "notification dropped (" + what + "): " + outcome.error().message, LogLevel::Error);
    ++stats.dropped;
    return;
  }

  // Server-to-server targets are not the user's device: the ledger of
  // draft §10, the daily total and the rate cap do not count them.
  if (!request.test && !request.s2s && request.validation.empty()) {
    // Delta Chat queues per device; the ledger and the limits are the
    // account's.
    const std::string& user = request.owner();
    if (!head->answered) {
      ledger_.record_sent(user, LedgerRecord{now, request.sequence_id, request.uid, head->wakeup});
      // Delta Chat's contract is one wake-up per new message (the proxy
      // acknowledged it): no reminders (doc/channels/deltachat.md).
      if (request.channel != ChannelKind::DeltaChat) arm_reminder(sent.account, request, now);
    }
    daily_.record(user, now);
    rate_.record(user, now);
  }
  std::string note;
  if (request.reminder > 0)
    note += "; reminder " + std::to_string(request.reminder) + " of " +
            std::to_string(policy_.reminder_limit);
  if (head->merged > 0) note += "; for " + std::to_string(head->merged + 1) + " notifications";
  if (!sent.payload_note.empty()) note += "; " + sent.payload_note;
  const int64_t done_us = realtime_us();
  // Times of a first attempt only: a retry's queue time is its backoff.
  const bool timed = head->attempts == 0 && !head->wakeup && sent.claimed_us != 0;
  const uint64_t handover_us = timed ? elapsed_us(sent.created_us, sent.claimed_us) : 0;
  const uint64_t queue_us = timed ? elapsed_us(sent.claimed_us, sent.started_us) : 0;
  const uint64_t send_us = timed ? elapsed_us(sent.started_us, done_us) : 0;
  char timing[96] = "";
  if (timed)
    std::snprintf(timing, sizeof(timing), "; handed over in %.3f ms, queued %.3f ms, sent in %.3f ms",
                  handover_us / 1000.0, queue_us / 1000.0, send_us / 1000.0);
  logger_.log_event(LogLevel::Info,
                    LogEvent{.name = event_for(&request, "lnotify_notification_sent"),
                             .user = sent.account,
                             .channel = channel, .reason = head->wakeup ? "wakeup" : "",
                             .sequence_id = request.sequence_id, .attempts = head->attempts,
                             .handover_usecs = handover_us, .queue_usecs = queue_us,
                             .send_usecs = send_us},
                    "sent " + std::string(format_name(head->wakeup ? PayloadFormat::Wakeup
                                                                   : request.format)) +
                        " over " + channel + " to " + shown_address(request) + " (" + what + ", " +
                        std::to_string(sent.payload_bytes) + " bytes" + note + timing + ")");
  sequences_.release(sent.entry);
  spool_.remove_active(sent.entry);
  queue_.pop_head(sent.account);
  ++stats.sent;
}

// entry is a copy: it is often the queue's own string, gone once removed.
void Dispatcher::drop(const std::string& account, std::string entry,
                      const NotificationRequest* request, std::string_view event_name,
                      std::string_view reason, std::string_view message, LogLevel level) {
  if (!account.empty()) queue_.remove(account, entry);
  sequences_.release(entry);
  if (reason == "corrupt")
    spool_.quarantine_active(entry);
  else
    spool_.remove_active(entry);
  std::string channel = request != nullptr ? std::string(channel_name(request->channel)) : "";
  logger_.log_event(level,
                    LogEvent{.name = event_for(request, event_name, reason), .user = account,
                             .channel = channel, .reason = reason},
                    message);
}

void Dispatcher::save_state(bool durable) {
  if (!journal_.is_open()) return;
  if (journal_.has_pending() || durable) {
    if (auto written = journal_.write(durable); !written)
      logger_.error("cannot write the state journal: " + written.error().message);
  }
  if (journal_.size_bytes() < std::max(kMinJournalBytes, 4 * snapshot_size_)) return;
  StateJournal::Snapshot snapshot;
  sequences_.snapshot(snapshot);
  ledger_.snapshot(snapshot);
  daily_.snapshot(snapshot);
  if (auto written = journal_.rewrite(snapshot); !written) {
    logger_.error("cannot rewrite the state journal: " + written.error().message);
    return;
  }
  snapshot_size_ = snapshot.text().size();
}

}  // namespace lnotify

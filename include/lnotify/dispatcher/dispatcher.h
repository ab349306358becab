// The dispatcher: takes spooled notification requests, turns each into the
// payload its channel needs and sends it. It runs in its own process, so no
// mail delivery ever waits on a gateway.
//
// What it guarantees (doc/dispatcher.md):
// - nothing is lost: a request is removed from the spool only once it was
//   sent, failed permanently, expired or was dropped by a limit, each
//   logged; after a crash whatever is in active/ is taken up again, so a
//   notification goes out at least once (a crash right after a send sends
//   it again, with the same sequence-id);
// - per account, notifications go out in the order they were queued; one
//   waiting for a retry holds back the later ones;
// - sequence-ids per device without gaps (see sequence_store.h);
// - the ledger of draft §10 (ledger.h), the client's daily total, the rate
//   cap, retries with backoff and expiry (dispatch_policy.h);
// - a pass does work in proportion to what is due, and next_due_ms() says
//   when the next one is needed, so the glue sleeps until then.
#pragma once

#include <map>
#include <set>
#include <unordered_map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lnotify/dispatcher/channel.h"
#include "lnotify/core/clock.h"
#include "lnotify/dispatcher/completion_queue.h"
#include "lnotify/dispatcher/daily_count.h"
#include "lnotify/dispatcher/dispatch_policy.h"
#include "lnotify/dispatcher/dispatch_queue.h"
#include "lnotify/dispatcher/ledger.h"
#include "lnotify/core/log.h"
#include "lnotify/payload/payload.h"
#include "lnotify/dispatcher/rate_limit.h"
#include "lnotify/dispatcher/sequence_store.h"
#include "lnotify/spool/spool.h"
#include "lnotify/dispatcher/state_journal.h"

namespace lnotify {

struct DispatchStats {
  size_t sent = 0;
  size_t retried = 0;  // temporary failure, scheduled again with backoff
  size_t held = 0;     // waiting for the ledger's next wake-up or the rate limit
  size_t dropped = 0;  // permanent failure, expired, over a limit, unreadable
};

struct DispatcherOptions {
  PayloadOptions payload;
  DispatchPolicy policy;
  // Where the state journal lives (setting state_dir); must exist.
  std::string state_dir = "/var/lib/lnotify";
  const Clock* clock = nullptr;  // null: the system clock
  RandomSourcePtr random;        // null: seeded from the kernel
};

// One queued notification as the operations commands show it.
struct QueueListing {
  std::string id;  // the spool entry name
  std::string account;
  std::string state;  // queued, retry, rate-limit, quiet
  uint32_t attempts = 0;
  uint32_t merged = 0;
  int64_t not_before_ms = 0;
  int64_t expires_ms = 0;
  uint64_t sequence_id = 0;  // 0: not given yet
  std::string last_error;
  // from the spool record
  std::string channel, address, mailbox, event;
  uint32_t uid = 0;
  bool test = false;
};

class Dispatcher {
 public:
  // Work per pass: at most this many accounts' notifications are sent
  // before the glue's ioloop gets a turn again.
  static constexpr size_t kPassBudget = 256;
  // Records taken from incoming/ per claim(): reading them is the work.
  static constexpr size_t kClaimBatch = 2000;

  Dispatcher(Spool spool, Logger& logger, DispatcherOptions options = DispatcherOptions{});
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void add_channel(ChannelPtr channel);

  // Loads the state journal and takes up what active/ holds (left by a
  // previous process), then what is waiting in incoming/.
  Result<void> start();
  // Takes new records from incoming/ (notifications and reactions), at most
  // kClaimBatch; returns whether more may be waiting.
  bool claim();
  // Moves complete records that writers left in tmp/ on to incoming/.
  void recover_stale_tmp();
  // Sends what is due now, for at most `budget` accounts.
  DispatchStats run_due(size_t budget = kPassBudget);
  // Applies the outcomes channels reported since the last call (sends
  // that waited on a peer); run_due() calls it too. The glue calls it when
  // completion_fd() is readable.
  DispatchStats collect();
  int completion_fd() const { return completions_->fd(); }
  size_t in_flight() const { return in_flight_.size(); }
  // When the next pass is needed (absolute, ms since the epoch).
  std::optional<int64_t> next_due_ms() const;
  size_t queued() const { return queue_.size(); }

  // Operations (doveadm lnotify ...). A selector is empty (everything), an
  // account, or a name without domain matching the account's local part;
  // ids narrow it to those spool entries.
  std::vector<QueueListing> list(const std::string& selector, size_t max_rows);
  size_t flush(const std::string& selector, const std::vector<std::string>& ids);
  size_t remove(const std::string& selector, const std::vector<std::string>& ids);

  const Ledger& ledger() const { return ledger_; }
  const SequenceStore& sequences() const { return sequences_; }

 private:
  enum class Admission { Send, Held, Dropped };
  struct Ready;
  // A send handed to its channel, until the channel reports the outcome.
  struct InFlight {
    std::string account;
    std::string entry;
    NotificationRequest request;
    size_t payload_bytes = 0;
    std::string payload_note;
    int64_t created_us = 0;  // the spool entry's creation (its name says when)
    int64_t claimed_us = 0;
    int64_t started_us = 0;
  };

  void take_up(const std::string& entry, bool after_restart);
  void apply_reaction(const std::string& entry, const ClientReaction& reaction);
  std::optional<NotificationRequest> load(const std::string& account,
                                          const QueuedNotification& queued);
  Admission admit(const std::string& account, QueuedNotification& head,
                  const NotificationRequest& request, int64_t now);
  void hold(const std::string& account, QueuedNotification& head, Hold why, int64_t until,
            const NotificationRequest& request);
  void merge_followers(const std::string& account, const NotificationRequest& request,
                       const char* why);
  void send(Ready& ready, DispatchStats& stats);
  void finish(InFlight& sent, Result<void> outcome, DispatchStats& stats);
  void drop(const std::string& account, std::string entry, const NotificationRequest* request,
            std::string_view event_name, std::string_view reason, std::string_view message,
            LogLevel level);
  void save_state(bool durable);
  // Reminders (DispatchPolicy::reminder_interval_secs): armed when a
  // notification to the device went out, cancelled by a reaction.
  void arm_reminder(const std::string& account, const NotificationRequest& sent, int64_t now);
  void cancel_reminder(const std::string& account);
  // Queues the reminders due at now (as spool records of their own).
  void queue_due_reminders(int64_t now);
  // Whether an MWI update repeats the ON/OFF state last queued for key
  // (remembering it when it does not).
  bool mwi_unchanged(const std::string& key, const NotificationRequest& request);
  bool matches(const std::string& selector, const std::vector<std::string>& ids,
               const std::string& account, const std::string& entry) const;

  Spool spool_;
  Logger& logger_;
  PayloadOptions payload_options_;
  DispatchPolicy policy_;
  std::string state_dir_;
  const Clock& clock_;
  RandomSourcePtr random_;
  // Declared before the channels: their worker threads may post into it
  // until they are joined.
  std::shared_ptr<CompletionQueue> completions_ = std::make_shared<CompletionQueue>();
  std::map<ChannelKind, ChannelPtr> channels_;
  std::map<uint64_t, InFlight> in_flight_;
  uint64_t next_ticket_ = 0;

  StateJournal journal_;
  SequenceStore sequences_{journal_};
  Ledger ledger_;
  DailyCounts daily_;
  RateLimiter rate_;
  DispatchQueue queue_;
  std::unordered_map<std::string, bool> mwi_state_;  // queue key -> ON
  struct Reminder {
    NotificationRequest wakeup;  // what goes again, to the device last notified
    int64_t due_ms = 0;
    int64_t since_ms = 0;  // when the notification it reminds of went out
  };
  std::unordered_map<std::string, Reminder> reminders_;       // account -> next reminder
  std::set<std::pair<int64_t, std::string>> reminder_due_;  // (due, account)
  size_t snapshot_size_ = 0;
  int64_t last_housekeeping_ms_ = 0;
};

}  // namespace lnotify

// The dispatcher's queue in memory: one FIFO per account (a user's later
// notification never overtakes an earlier one that waits) and a schedule
// of the accounts ordered by when their first notification is due, so a
// pass touches only what is due and the next pass can be timed exactly.
// The spool's active/ directory is the durable copy; entries here hold
// only what scheduling needs (about 150 bytes each, see the memory test).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lnotify {

// Why a notification waits (for the log and doveadm lnotify list).
enum class Hold : uint8_t {
  None,       // due as soon as its turn comes
  Retry,      // a temporary failure; backoff
  RateLimit,  // the account's rate_limit
  Quiet,      // the ledger: only periodic wake-ups until the client reacts
  InFlight,   // handed to its channel, which has not answered yet
};
const char* hold_name(Hold hold);

struct QueuedNotification {
  std::string entry;       // spool entry name in active/
  int64_t not_before_ms = 0;
  int64_t expires_ms = 0;
  uint64_t device = 0;     // hash of channel and address: merges stay on one device
  int64_t claimed_us = 0;  // when this process took it from incoming/ (for the timings)
  uint32_t attempts = 0;   // temporary failures so far
  uint32_t merged = 0;     // notifications merged into this one
  Hold hold = Hold::None;
  bool admitted = false;   // passed the ledger and limits; only retries and expiry remain
  bool wakeup = false;     // goes as a wake-up (ledger quiet, or merged)
  // The client reacted after it was queued (it looked at the mailboxes
  // after this event): sent, it is not counted unanswered.
  bool answered = false;
  // The last temporary failure's text; allocated only for notifications
  // that failed, so the common case costs a pointer.
  std::unique_ptr<std::string> last_error;

  std::string_view error() const {
    return last_error ? std::string_view(*last_error) : std::string_view();
  }
};

class DispatchQueue {
 public:
  // Appends to the account's FIFO.
  void push(const std::string& account, QueuedNotification notification);

  size_t size() const { return size_; }
  size_t accounts() const { return accounts_.size(); }
  // When the earliest head is due; nullopt when the queue is empty.
  std::optional<int64_t> next_due_ms() const;
  // Accounts whose first notification is due at now_ms, earliest first
  // (ties: longest waiting first), at most max of them.
  std::vector<std::string> due_accounts(int64_t now_ms, size_t max) const;

  QueuedNotification* head(const std::string& account);
  // Removes the account's first notification; the next one is scheduled.
  void pop_head(const std::string& account);
  // To be called after changing the head's not_before_ms.
  void reschedule(const std::string& account);
  // Merges into the head the notifications right behind it that go to the
  // same device and were not admitted yet; the head takes over the newest
  // one's entry (its facts are the freshest). Returns the entries merged
  // away, whose spool files are no longer needed.
  std::vector<std::string> merge_run(const std::string& account);

  // For the operations commands.
  void for_each(const std::function<void(const std::string& account,
                                         const QueuedNotification& notification)>& visit) const;
  QueuedNotification* find(const std::string& account, const std::string& entry);
  // Every notification queued for one account, in order.
  void for_each_of(const std::string& account,
                   const std::function<void(QueuedNotification& notification)>& visit);
  bool remove(const std::string& account, const std::string& entry);

 private:
  struct Account;
  struct ScheduleKey {
    int64_t due;
    uint64_t order;
    Account* account;
    bool operator<(const ScheduleKey& other) const {
      return due != other.due ? due < other.due : order < other.order;
    }
  };
  struct Account {
    const std::string* name = nullptr;  // the map's key
    std::vector<QueuedNotification> items;
    uint32_t head = 0;  // items before it are done
    bool scheduled = false;
    int64_t scheduled_due = 0;  // its key in schedule_ (with scheduled_order)
    uint64_t scheduled_order = 0;
  };

  Account* find_account(const std::string& account);
  void schedule(Account& account);
  void unschedule(Account& account);
  void drop_if_empty(const std::string& name);

  std::unordered_map<std::string, Account> accounts_;
  std::set<ScheduleKey> schedule_;
  uint64_t next_order_ = 0;
  size_t size_ = 0;
};

}  // namespace lnotify

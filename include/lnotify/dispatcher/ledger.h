// The ledger of draft §10: "Because outband notifications may be sent over
// unreliable channels (i.e., they may be lost or delayed), the server MUST
// keep track of the outband notifications that are sent via NF, until the
// MUA react to them. If a MUA does not react to outband notifications, the
// server MAY stop sending outband notifications, except possibly periodic
// wake up calls until the client reconnects."
//
// Per account it keeps what was sent and not yet answered; a reaction (an
// IMAP login or SELECT, see reaction.h) answers everything. Past
// unanswered_limit the account is "quiet": only wake-ups go out, at most
// one per wakeup_interval.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lnotify/dispatcher/dispatch_policy.h"
#include "lnotify/dispatcher/state_journal.h"

namespace lnotify {

struct LedgerRecord {
  int64_t sent_ms = 0;
  uint64_t sequence_id = 0;
  uint32_t uid = 0;
  bool wakeup = false;  // sent as a wake-up because the account was quiet
};

struct UserLedger {
  uint32_t unanswered = 0;
  int64_t since_ms = 0;        // when the oldest unanswered one was sent
  int64_t last_wakeup_ms = 0;  // the last wake-up sent while quiet
  // The latest unanswered notifications (at most Ledger::kDetail; the count
  // above goes on), so memory stays small for users who never react.
  std::vector<LedgerRecord> recent;
};

class Ledger {
 public:
  static constexpr size_t kDetail = 8;

  Ledger(const DispatchPolicy& policy, StateJournal& journal);

  // Past unanswered_limit: only wake-ups may go.
  bool quiet(const std::string& account) const;
  // When a quiet account's next wake-up may go: at once (now_ms) when none
  // went within wakeup_interval.
  int64_t next_wakeup_ms(const std::string& account, int64_t now_ms) const;

  // A notification went out to account (appended to the journal as "sent").
  void record_sent(const std::string& account, const LedgerRecord& record);
  // The client reacted: everything outstanding is answered (journal
  // "react"). Returns how many notifications were unanswered.
  uint32_t react(const std::string& account, int64_t now_ms);

  const UserLedger* find(const std::string& account) const;
  void for_each(const std::function<void(const std::string&, const UserLedger&)>& visit) const;
  size_t accounts() const { return users_.size(); }

  // Journal lines "sent" and "react", and the snapshot's "ledger" and
  // "outstanding".
  bool apply(const StateJournal::Line& line);
  void snapshot(StateJournal::Snapshot& snapshot) const;

 private:
  void add(const std::string& account, const LedgerRecord& record);

  uint32_t unanswered_limit_;
  int64_t wakeup_interval_ms_;
  StateJournal& journal_;
  std::unordered_map<std::string, UserLedger> users_;
};

}  // namespace lnotify

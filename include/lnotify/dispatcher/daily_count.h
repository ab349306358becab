// Notifications sent per account and UTC day, for the client's
// "limit total=N" (draft §11.3: notifications per day). Rebuilt at start
// from the ledger's "sent" journal lines and the snapshot's "day" lines.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "lnotify/dispatcher/state_journal.h"

namespace lnotify {

class DailyCounts {
 public:
  static int64_t utc_day(int64_t ms) { return ms / 86400000; }

  uint32_t sent_on_day_of(const std::string& account, int64_t now_ms) const;
  void record(const std::string& account, int64_t sent_ms);
  // Forgets counts of days before now's, so memory follows today's users.
  void forget_past_days(int64_t now_ms);

  bool apply(const StateJournal::Line& line);
  void snapshot(StateJournal::Snapshot& snapshot) const;

  size_t accounts() const { return counts_.size(); }

 private:
  struct Count {
    int64_t day = 0;
    uint32_t sent = 0;
  };
  std::unordered_map<std::string, Count> counts_;
};

}  // namespace lnotify

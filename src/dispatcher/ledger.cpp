#include "lnotify/dispatcher/ledger.h"

#include <charconv>

namespace lnotify {
namespace {

template <typename Int>
bool parse(const std::string& text, Int& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

std::string str(int64_t v) { return std::to_string(v); }

// "sent"/"outstanding" ACCOUNT SENT_MS SEQUENCE_ID UID WAKEUP
bool parse_record(const StateJournal::Line& line, LedgerRecord& r) {
  unsigned wakeup = 0;
  if (line.size() != 6 || !parse(line[2], r.sent_ms) || !parse(line[3], r.sequence_id) ||
      !parse(line[4], r.uid) || !parse(line[5], wakeup))
    return false;
  r.wakeup = wakeup != 0;
  return true;
}

}  // namespace

Ledger::Ledger(const DispatchPolicy& policy, StateJournal& journal)
    : unanswered_limit_(policy.unanswered_limit),
      wakeup_interval_ms_(int64_t{policy.wakeup_interval_secs} * 1000),
      journal_(journal) {}

bool Ledger::quiet(const std::string& account) const {
  if (unanswered_limit_ == 0) return false;
  const UserLedger* user = find(account);
  return user != nullptr && user->unanswered >= unanswered_limit_;
}

int64_t Ledger::next_wakeup_ms(const std::string& account, int64_t now_ms) const {
  const UserLedger* user = find(account);
  if (user == nullptr || user->last_wakeup_ms == 0) return now_ms;
  return std::max(now_ms, user->last_wakeup_ms + wakeup_interval_ms_);
}

void Ledger::add(const std::string& account, const LedgerRecord& record) {
  UserLedger& user = users_[account];
  if (user.unanswered++ == 0) user.since_ms = record.sent_ms;
  if (record.wakeup) user.last_wakeup_ms = record.sent_ms;
  if (user.recent.size() == kDetail) user.recent.erase(user.recent.begin());
  user.recent.push_back(record);
}

void Ledger::record_sent(const std::string& account, const LedgerRecord& record) {
  add(account, record);
  journal_.append({"sent", account, str(record.sent_ms), std::to_string(record.sequence_id),
                   std::to_string(record.uid), record.wakeup ? "1" : "0"});
}

uint32_t Ledger::react(const std::string& account, int64_t now_ms) {
  auto it = users_.find(account);
  if (it == users_.end()) return 0;
  const uint32_t answered = it->second.unanswered;
  users_.erase(it);
  journal_.append({"react", account, str(now_ms)});
  return answered;
}

const UserLedger* Ledger::find(const std::string& account) const {
  auto it = users_.find(account);
  return it == users_.end() ? nullptr : &it->second;
}

void Ledger::for_each(
    const std::function<void(const std::string&, const UserLedger&)>& visit) const {
  for (const auto& [account, user] : users_) visit(account, user);
}

bool Ledger::apply(const StateJournal::Line& line) {
  if (line.empty()) return false;
  LedgerRecord record;
  if (line[0] == "sent" && parse_record(line, record)) {
    add(line[1], record);
    return true;
  }
  if (line[0] == "react" && line.size() == 3) {
    users_.erase(line[1]);
    return true;
  }
  if (line[0] == "ledger" && line.size() == 5) {
    UserLedger user;
    if (!parse(line[2], user.unanswered) || !parse(line[3], user.since_ms) ||
        !parse(line[4], user.last_wakeup_ms))
      return false;
    users_[line[1]] = std::move(user);
    return true;
  }
  if (line[0] == "outstanding" && parse_record(line, record)) {
    auto it = users_.find(line[1]);
    if (it == users_.end() || it->second.recent.size() == kDetail) return false;
    it->second.recent.push_back(record);
    return true;
  }
  return false;
}

void Ledger::snapshot(StateJournal::Snapshot& snapshot) const {
  for (const auto& [account, user] : users_) {
    snapshot.add({"ledger", account, std::to_string(user.unanswered), str(user.since_ms),
                  str(user.last_wakeup_ms)});
    for (const LedgerRecord& r : user.recent)
      snapshot.add({"outstanding", account, str(r.sent_ms), std::to_string(r.sequence_id),
                    std::to_string(r.uid), r.wakeup ? "1" : "0"});
  }
}

}  // namespace lnotify

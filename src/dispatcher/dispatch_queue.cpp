#include "lnotify/dispatcher/dispatch_queue.h"

#include <algorithm>

namespace lnotify {

const char* hold_name(Hold hold) {
  switch (hold) {
    case Hold::None: return "queued";
    case Hold::Retry: return "retry";
    case Hold::RateLimit: return "rate-limit";
    case Hold::Quiet: return "quiet";
    case Hold::InFlight: return "in-flight";
  }
  return "?";
}

DispatchQueue::Account* DispatchQueue::find_account(const std::string& account) {
  auto it = accounts_.find(account);
  return it == accounts_.end() ? nullptr : &it->second;
}

void DispatchQueue::schedule(Account& account) {
  unschedule(account);
  if (account.head == account.items.size()) return;
  account.scheduled = true;
  account.scheduled_due = account.items[account.head].not_before_ms;
  account.scheduled_order = next_order_++;
  schedule_.insert(ScheduleKey{account.scheduled_due, account.scheduled_order, &account});
}

void DispatchQueue::unschedule(Account& account) {
  if (account.scheduled) {
    schedule_.erase(ScheduleKey{account.scheduled_due, account.scheduled_order, &account});
    account.scheduled = false;
  }
}

void DispatchQueue::drop_if_empty(const std::string& name) {
  auto it = accounts_.find(name);
  if (it != accounts_.end() && it->second.head == it->second.items.size()) {
    unschedule(it->second);
    accounts_.erase(it);
  }
}

void DispatchQueue::push(const std::string& account, QueuedNotification notification) {
  auto [it, inserted] = accounts_.try_emplace(account);
  Account& a = it->second;
  if (inserted) a.name = &it->first;
  a.items.push_back(std::move(notification));
  ++size_;
  if (a.items.size() - a.head == 1) schedule(a);
}

std::optional<int64_t> DispatchQueue::next_due_ms() const {
  if (schedule_.empty()) return std::nullopt;
  return schedule_.begin()->due;
}

std::vector<std::string> DispatchQueue::due_accounts(int64_t now_ms, size_t max) const {
  std::vector<std::string> due;
  for (auto it = schedule_.begin(); it != schedule_.end() && it->due <= now_ms && due.size() < max;
       ++it)
    due.push_back(*it->account->name);
  return due;
}

QueuedNotification* DispatchQueue::head(const std::string& account) {
  Account* a = find_account(account);
  if (a == nullptr || a->head == a->items.size()) return nullptr;
  return &a->items[a->head];
}

void DispatchQueue::pop_head(const std::string& account) {
  Account* a = find_account(account);
  if (a == nullptr || a->head == a->items.size()) return;
  a->items[a->head] = QueuedNotification{};  // frees its strings now
  ++a->head;
  --size_;
  if (a->head == a->items.size()) {
    drop_if_empty(account);
    return;
  }
  // Reclaim the done prefix once it is most of the vector.
  if (a->head >= 16 && a->head * 2 >= a->items.size()) {
    a->items.erase(a->items.begin(), a->items.begin() + static_cast<ptrdiff_t>(a->head));
    a->head = 0;
  }
  schedule(*a);
}

void DispatchQueue::reschedule(const std::string& account) {
  if (Account* a = find_account(account)) schedule(*a);
}

std::vector<std::string> DispatchQueue::merge_run(const std::string& account) {
  std::vector<std::string> merged_away;
  Account* a = find_account(account);
  if (a == nullptr || a->head == a->items.size()) return merged_away;
  QueuedNotification& head = a->items[a->head];
  size_t next = a->head + 1;
  while (next < a->items.size() && a->items[next].device == head.device &&
         !a->items[next].admitted) {
    QueuedNotification& follower = a->items[next];
    merged_away.push_back(std::move(head.entry));
    head.entry = std::move(follower.entry);
    head.merged += 1 + follower.merged;
    head.expires_ms = std::max(head.expires_ms, follower.expires_ms);
    // it stands for the follower too, which may have come after a reaction
    head.answered = head.answered && follower.answered;
    ++next;
  }
  a->items.erase(a->items.begin() + static_cast<ptrdiff_t>(a->head + 1),
                 a->items.begin() + static_cast<ptrdiff_t>(next));
  size_ -= merged_away.size();
  return merged_away;
}

void DispatchQueue::for_each(
    const std::function<void(const std::string&, const QueuedNotification&)>& visit) const {
  for (const auto& [name, account] : accounts_)
    for (size_t i = account.head; i < account.items.size(); ++i) visit(name, account.items[i]);
}

QueuedNotification* DispatchQueue::find(const std::string& account, const std::string& entry) {
  Account* a = find_account(account);
  if (a == nullptr) return nullptr;
  for (size_t i = a->head; i < a->items.size(); ++i)
    if (a->items[i].entry == entry) return &a->items[i];
  return nullptr;
}

void DispatchQueue::for_each_of(const std::string& account,
                                const std::function<void(QueuedNotification&)>& visit) {
  Account* a = find_account(account);
  if (a == nullptr) return;
  for (size_t i = a->head; i < a->items.size(); ++i) visit(a->items[i]);
}

bool DispatchQueue::remove(const std::string& account, const std::string& entry) {
  Account* a = find_account(account);
  if (a == nullptr) return false;
  for (size_t i = a->head; i < a->items.size(); ++i) {
    if (a->items[i].entry != entry) continue;
    if (i == a->head) {
      pop_head(account);
    } else {
      a->items.erase(a->items.begin() + static_cast<ptrdiff_t>(i));
      --size_;
    }
    return true;
  }
  return false;
}

}  // namespace lnotify

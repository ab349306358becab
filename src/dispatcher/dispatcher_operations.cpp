// The operations commands' view of the queue (doveadm lnotify list, flush,
// delete): what waits, and why.
#include <algorithm>
#include <unordered_set>

#include "lnotify/dispatcher/dispatcher.h"
#include "lnotify/metadata/deltachat.h"

namespace lnotify {

bool Dispatcher::matches(const std::string& selector, const std::vector<std::string>& ids,
                         const std::string& account, const std::string& entry) const {
  if (!ids.empty() && std::find(ids.begin(), ids.end(), entry) == ids.end()) return false;
  if (selector.empty() || selector == account) return true;
  // a Delta Chat device's queue belongs to its account
  if (auto owner = deltachat::queue_key_account(account); !owner.empty())
    return matches(selector, {}, std::string(owner), entry);
  // "alice" selects alice@example.org: IMAP and LMTP may name a user with
  // or without the domain, the queue knows the account.
  return selector.find('@') == std::string::npos && account.size() > selector.size() &&
         account.compare(0, selector.size(), selector) == 0 && account[selector.size()] == '@';
}

std::vector<QueueListing> Dispatcher::list(const std::string& selector, size_t max_rows) {
  struct Found {
    std::string account;
    const QueuedNotification* queued;
  };
  std::vector<Found> found;
  queue_.for_each([&](const std::string& account, const QueuedNotification& n) {
    if (matches(selector, {}, account, n.entry)) found.push_back({account, &n});
  });
  // Entry names sort in submission order.
  std::sort(found.begin(), found.end(),
            [](const Found& a, const Found& b) { return a.queued->entry < b.queued->entry; });
  if (found.size() > max_rows) found.resize(max_rows);

  std::vector<QueueListing> rows;
  rows.reserve(found.size());
  for (const Found& f : found) {
    const QueuedNotification& n = *f.queued;
    QueueListing row;
    row.id = n.entry;
    // a Delta Chat device's queue shows as its account (the address
    // column names the device)
    const std::string_view owner = deltachat::queue_key_account(f.account);
    row.account = owner.empty() ? f.account : std::string(owner);
    row.state = hold_name(n.hold);
    row.attempts = n.attempts;
    row.merged = n.merged;
    row.not_before_ms = n.not_before_ms;
    row.expires_ms = n.expires_ms;
    row.sequence_id = sequences_.assigned(n.entry).value_or(0);
    row.last_error = n.error();
    // The facts are in the spool file; the queue keeps only what
    // scheduling needs. A file that cannot be read shows as such.
    if (auto record = spool_.read_active(n.entry)) {
      if (auto request = decode_request(*record)) {
        row.channel = channel_name(request->channel);
        row.address = request->channel == ChannelKind::DeltaChat
                          ? deltachat::token_label(request->address)
                          : request->address;
        row.mailbox = request->mailbox;
        row.event = request->event;
        row.uid = request->uid;
        row.test = request->test;
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

size_t Dispatcher::flush(const std::string& selector, const std::vector<std::string>& ids) {
  const int64_t now = clock_.now_ms();
  std::vector<std::pair<std::string, std::string>> found;
  queue_.for_each([&](const std::string& account, const QueuedNotification& n) {
    // One on its way to its channel is not due again until it answers.
    if (n.hold != Hold::InFlight && matches(selector, ids, account, n.entry))
      found.emplace_back(account, n.entry);
  });
  std::unordered_set<std::string> accounts;
  for (const auto& [account, entry] : found) {
    // Flushing skips the backoff, not the ledger or the limits: a held
    // notification is looked at again now and held again if it must be.
    if (QueuedNotification* n = queue_.find(account, entry)) n->not_before_ms = now;
    accounts.insert(account);
  }
  for (const auto& account : accounts) queue_.reschedule(account);
  if (!found.empty())
    logger_.info("flush: " + std::to_string(found.size()) + " notification(s) due now" +
                 (selector.empty() ? "" : " for " + selector));
  return found.size();
}

size_t Dispatcher::remove(const std::string& selector, const std::vector<std::string>& ids) {
  std::vector<std::pair<std::string, std::string>> found;
  queue_.for_each([&](const std::string& account, const QueuedNotification& n) {
    if (matches(selector, ids, account, n.entry)) found.emplace_back(account, n.entry);
  });
  for (const auto& [account, entry] : found) {
    drop(account, entry, nullptr, "lnotify_notification_dropped", "deleted",
         "notification " + entry + " for " + account + " deleted by an administrator",
         LogLevel::Info);
  }
  save_state(false);
  return found.size();
}

}  // namespace lnotify

#include "lnotify/dispatcher/dispatch_admin.h"

#include <algorithm>
#include <charconv>

#include "dispatcher/dispatch_text.h"
#include "core/text_util.h"

namespace lnotify {
namespace {

constexpr size_t kDefaultListRows = 1000;

std::string when(int64_t ms) { return ms <= 0 ? "-" : dispatch_text::utc(ms); }

std::string arg(const std::vector<std::string>& args, size_t i) {
  return i < args.size() ? args[i] : std::string();
}

std::vector<std::string> rest(const std::vector<std::string>& args, size_t from) {
  if (from >= args.size()) return {};
  return std::vector<std::string>(args.begin() + static_cast<ptrdiff_t>(from), args.end());
}

}  // namespace

const AdminRow& admin_list_columns() {
  static const AdminRow columns{"id",      "user",    "state",   "attempts", "merged",
                                "seq",     "next",    "expires", "channel",  "address",
                                "mailbox", "uid",     "event",   "error"};
  return columns;
}

const AdminRow& admin_ledger_columns() {
  static const AdminRow columns{"user", "unanswered", "since", "last_wakeup", "quiet"};
  return columns;
}

Result<std::string> run_admin_command(Dispatcher& dispatcher, const std::vector<std::string>& args,
                                      const AdminReply& reply) {
  if (args.empty()) return permanent_error("empty request");
  const std::string& command = args[0];
  const std::string selector = arg(args, 1);

  if (command == "LIST") {
    size_t max_rows = kDefaultListRows;
    if (std::string max = arg(args, 2); !max.empty()) {
      auto [end, ec] = std::from_chars(max.data(), max.data() + max.size(), max_rows);
      if (!text::all_digits(max) || ec != std::errc() || end != max.data() + max.size())
        return permanent_error("LIST: invalid row count " + text::quote_for_message(max));
    }
    const auto rows = dispatcher.list(selector, max_rows);
    for (const QueueListing& r : rows) {
      reply({r.id, r.account, r.state, std::to_string(r.attempts), std::to_string(r.merged),
             r.sequence_id == 0 ? "-" : std::to_string(r.sequence_id), when(r.not_before_ms),
             when(r.expires_ms), r.channel, r.address, r.mailbox,
             r.test ? "-" : std::to_string(r.uid), r.test ? "test" : r.event, r.last_error});
    }
    return std::to_string(rows.size()) + " of " + std::to_string(dispatcher.queued()) +
           " queued notification(s) shown";
  }
  if (command == "FLUSH") {
    const size_t flushed = dispatcher.flush(selector, rest(args, 2));
    return std::to_string(flushed) + " notification(s) due now";
  }
  if (command == "DELETE") {
    const auto ids = rest(args, 2);
    if (selector.empty() && ids.empty())
      return permanent_error("DELETE needs a user or notification ids (refusing to empty the queue)");
    const size_t removed = dispatcher.remove(selector, ids);
    return std::to_string(removed) + " notification(s) deleted";
  }
  if (command == "LEDGER") {
    struct Row {
      std::string account;
      UserLedger ledger;
    };
    std::vector<Row> rows;
    dispatcher.ledger().for_each([&](const std::string& account, const UserLedger& ledger) {
      if (selector.empty() || account == selector ||
          (selector.find('@') == std::string::npos && account.starts_with(selector + "@")))
        rows.push_back({account, ledger});
    });
    std::sort(rows.begin(), rows.end(),
              [](const Row& a, const Row& b) { return a.account < b.account; });
    for (const Row& r : rows)
      reply({r.account, std::to_string(r.ledger.unanswered), when(r.ledger.since_ms),
             when(r.ledger.last_wakeup_ms), dispatcher.ledger().quiet(r.account) ? "yes" : "no"});
    return std::to_string(rows.size()) + " user(s) with unanswered notifications";
  }
  return permanent_error("unknown command " + text::quote_for_message(command) +
                         " (LIST, FLUSH, DELETE or LEDGER)");
}

}  // namespace lnotify

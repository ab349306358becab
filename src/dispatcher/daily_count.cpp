#include "lnotify/dispatcher/daily_count.h"

#include <charconv>

namespace lnotify {
namespace {

template <typename Int>
bool parse(const std::string& text, Int& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

uint32_t DailyCounts::sent_on_day_of(const std::string& account, int64_t now_ms) const {
  auto it = counts_.find(account);
  if (it == counts_.end() || it->second.day != utc_day(now_ms)) return 0;
  return it->second.sent;
}

void DailyCounts::record(const std::string& account, int64_t sent_ms) {
  Count& count = counts_[account];
  const int64_t day = utc_day(sent_ms);
  if (count.day != day) count = Count{day, 0};
  ++count.sent;
}

void DailyCounts::forget_past_days(int64_t now_ms) {
  const int64_t today = utc_day(now_ms);
  std::erase_if(counts_, [&](const auto& item) { return item.second.day < today; });
}

bool DailyCounts::apply(const StateJournal::Line& line) {
  if (line.size() == 6 && line[0] == "sent") {
    int64_t sent_ms = 0;
    if (!parse(line[2], sent_ms)) return false;
    record(line[1], sent_ms);
    return true;
  }
  if (line.size() == 4 && line[0] == "day") {
    Count count;
    if (!parse(line[2], count.day) || !parse(line[3], count.sent)) return false;
    counts_[line[1]] = count;
    return true;
  }
  return false;
}

void DailyCounts::snapshot(StateJournal::Snapshot& snapshot) const {
  for (const auto& [account, count] : counts_)
    snapshot.add({"day", account, std::to_string(count.day), std::to_string(count.sent)});
}

}  // namespace lnotify

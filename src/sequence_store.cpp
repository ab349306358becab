#include "lnotify/sequence_store.h"

#include <algorithm>
#include <charconv>

namespace lnotify {
namespace {

bool parse_id(const std::string& text, uint64_t& id) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string SequenceStore::device_key(const NotificationRequest& request) {
  std::string key = request.account;
  key += ' ';
  key += channel_name(request.channel);
  key += ' ';
  key += request.address;
  return key;
}

uint64_t SequenceStore::assign(const std::string& entry, const std::string& device) {
  if (auto it = assigned_.find(entry); it != assigned_.end()) return it->second;
  const uint64_t id = ++last_[device];
  assigned_.emplace(entry, id);
  journal_.append({"seq", device, std::to_string(id), entry});
  return id;
}

std::optional<uint64_t> SequenceStore::assigned(const std::string& entry) const {
  if (auto it = assigned_.find(entry); it != assigned_.end()) return it->second;
  return std::nullopt;
}

void SequenceStore::release(const std::string& entry) { assigned_.erase(entry); }

uint64_t SequenceStore::last(const std::string& device) const {
  auto it = last_.find(device);
  return it == last_.end() ? 0 : it->second;
}

void SequenceStore::retain(const std::function<bool(const std::string&)>& queued) {
  std::erase_if(assigned_, [&](const auto& item) { return !queued(item.first); });
}

bool SequenceStore::apply(const StateJournal::Line& line) {
  uint64_t id = 0;
  if (line.size() == 4 && line[0] == "seq" && parse_id(line[2], id)) {
    uint64_t& last = last_[line[1]];
    last = std::max(last, id);
    assigned_[line[3]] = id;
    return true;
  }
  if (line.size() == 3 && line[0] == "assigned" && parse_id(line[2], id)) {
    assigned_[line[1]] = id;
    return true;
  }
  if (line.size() == 3 && line[0] == "last" && parse_id(line[2], id)) {
    uint64_t& last = last_[line[1]];
    last = std::max(last, id);
    return true;
  }
  return false;
}

void SequenceStore::snapshot(StateJournal::Snapshot& snapshot) const {
  for (const auto& [device, id] : last_) snapshot.add({"last", device, std::to_string(id)});
  // An id given to a queued entry must survive the snapshot too; the
  // device of an assignment is not kept in memory, and is not needed
  // again: "last" already covers it.
  for (const auto& [entry, id] : assigned_) snapshot.add({"assigned", entry, std::to_string(id)});
}

}  // namespace lnotify

#include "lnotify/dispatcher/sequence_store.h"

#include "lnotify/metadata/deltachat.h"

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
  // a Delta Chat token is up to 4 KB and a credential: its short name
  key += request.channel == ChannelKind::DeltaChat ? deltachat::token_label(request.address)
                                                   : request.address;
  return key;
}

uint64_t SequenceStore::assign(const std::string& entry, const std::string& device) {
  if (auto it = assigned_.find(entry); it != assigned_.end()) return it->second;
  const uint64_t id = ++last_[device];
  uint64_t& reserved = reserved_[device];
  if (id > reserved) {
    reserved = id + kReserveBlock - 1;
    journal_.append({"reserve", device, std::to_string(reserved)});
    sync_needed_ = true;
  }
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
  ended_clean_ = line.size() == 1 && line[0] == "clean";
  if (ended_clean_) return true;
  if (line.size() == 2 && line[0] == "boot") {
    journal_boot_id_ = line[1];
    return true;
  }
  if (line.size() == 3 && line[0] == "reserve" && parse_id(line[2], id)) {
    uint64_t& reserved = reserved_[line[1]];
    reserved = std::max(reserved, id);
    return true;
  }
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

size_t SequenceStore::recover(std::string_view current_boot_id) {
  boot_id_ = current_boot_id;
  const bool page_cache_kept = !boot_id_.empty() && boot_id_ == journal_boot_id_;
  size_t skipped = 0;
  if (ended_clean_ || page_cache_kept) return 0;
  for (const auto& [device, reserved] : reserved_) {
    uint64_t& last = last_[device];
    if (last < reserved) {
      last = reserved;
      ++skipped;
    }
  }
  return skipped;
}

void SequenceStore::mark_clean_stop() { journal_.append({"clean"}); }

void SequenceStore::snapshot(StateJournal::Snapshot& snapshot) const {
  // The snapshot is flushed (StateJournal::rewrite): it starts a journal of
  // this boot, and its bounds are durable.
  snapshot.add({"boot", boot_id_});
  for (const auto& [device, id] : last_) snapshot.add({"last", device, std::to_string(id)});
  for (const auto& [device, bound] : reserved_) snapshot.add({"reserve", device, std::to_string(bound)});
  // An id given to a queued entry must survive the snapshot too; the
  // device of an assignment is not kept in memory, and is not needed
  // again: "last" already covers it.
  for (const auto& [entry, id] : assigned_) snapshot.add({"assigned", entry, std::to_string(id)});
}

}  // namespace lnotify

// The xemn sequence-id (draft §9.1: "notification sequence number"): it
// increases by one per notification sent to a user's device (doc/payloads.md),
// so a client that sees a gap knows it missed one, and a repeated id marks
// a duplicate it can drop. Ids are given at send time and written to the
// state journal before the notification leaves, so a crash can repeat an
// id (the notification is sent again with the same one) but never reuse one
// for another notification.
//
// Durability without an fdatasync per send (BENCHMARKS.md: it was the
// dispatcher's p50 and a fifth of a delivery's disk flushes): each device
// reserves ids in blocks, and only a new reservation must be flushed before
// its first id leaves. The "seq" line of every id is written (not flushed)
// before the send, so it survives the dispatcher's own crash, which leaves
// the page cache intact. Only when the machine itself went down since the
// journal was written (another boot id) and the dispatcher had not stopped
// cleanly can unflushed lines be lost; then each device skips to the end of
// its reservation: a gap, which tells the client the truth (notifications
// may be missing), and never an id used twice.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "lnotify/request/notification.h"
#include "lnotify/dispatcher/state_journal.h"

namespace lnotify {

class SequenceStore {
 public:
  // Ids reserved per flush and device: at most this many skipped after a
  // machine crash.
  static constexpr uint64_t kReserveBlock = 1000;

  explicit SequenceStore(StateJournal& journal) : journal_(journal) {}

  // A device is the account, the channel and the address together.
  static std::string device_key(const NotificationRequest& request);

  // The id of the notification in spool entry `entry`: the one it was
  // given before (a retry, or a restart before it was done), else the
  // device's next one, which is appended to the journal. The caller writes
  // the journal before sending, and flushes it when sync_needed().
  uint64_t assign(const std::string& entry, const std::string& device);
  // True when an assign() made a new reservation that is not flushed yet:
  // it must be on disk before the id leaves. flushed() says it is.
  bool sync_needed() const { return sync_needed_; }
  void flushed() { sync_needed_ = false; }
  std::optional<uint64_t> assigned(const std::string& entry) const;
  // The notification is done (sent or dropped); its id stays used.
  void release(const std::string& entry);
  // The last id given on device; 0 before the first.
  uint64_t last(const std::string& device) const;
  // After a restart: forgets the ids of entries that are no longer queued.
  void retain(const std::function<bool(const std::string& entry)>& queued);

  // Journal lines "seq" (an id given to an entry), "reserve" (a device's
  // flushed bound), "last" and "assigned" (snapshot), "boot" (the machine's
  // boot id when the journal was started) and "clean" (an orderly stop).
  bool apply(const StateJournal::Line& line);
  // After replay: if the machine restarted since the journal was written
  // and the dispatcher did not stop cleanly, moves each device past its
  // reservation. Returns how many devices skipped ahead. An empty boot id
  // (unknown) counts as a restart.
  size_t recover(std::string_view current_boot_id);
  void snapshot(StateJournal::Snapshot& snapshot) const;
  // Appends "clean" (the caller flushes it): everything is written.
  void mark_clean_stop();

  size_t devices() const { return last_.size(); }
  size_t assignments() const { return assigned_.size(); }

 private:
  StateJournal& journal_;
  std::unordered_map<std::string, uint64_t> last_;      // device -> last id
  std::unordered_map<std::string, uint64_t> assigned_;  // entry -> its id
  std::unordered_map<std::string, uint64_t> reserved_;  // device -> flushed bound
  bool sync_needed_ = false;
  std::string journal_boot_id_, boot_id_;
  bool ended_clean_ = false;  // the last replayed line was "clean"
};

}  // namespace lnotify

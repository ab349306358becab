// The xemn sequence-id (draft §9.1: "notification sequence number"): it
// increases by one per notification sent to a user's device (CONTRACT.md),
// so a client that sees a gap knows it missed one, and a repeated id marks
// a duplicate it can drop. Ids are given at send time and written to the
// state journal before the notification leaves, so a crash can repeat an
// id (the notification is sent again with the same one) but never skip one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

#include "lnotify/notification.h"
#include "lnotify/state_journal.h"

namespace lnotify {

class SequenceStore {
 public:
  explicit SequenceStore(StateJournal& journal) : journal_(journal) {}

  // A device is the account, the channel and the address together.
  static std::string device_key(const NotificationRequest& request);

  // The id of the notification in spool entry `entry`: the one it was
  // given before (a retry, or a restart before it was done), else the
  // device's next one, which is appended to the journal. The caller makes
  // the journal durable before sending.
  uint64_t assign(const std::string& entry, const std::string& device);
  std::optional<uint64_t> assigned(const std::string& entry) const;
  // The notification is done (sent or dropped); its id stays used.
  void release(const std::string& entry);
  // The last id given on device; 0 before the first.
  uint64_t last(const std::string& device) const;
  // After a restart: forgets the ids of entries that are no longer queued.
  void retain(const std::function<bool(const std::string& entry)>& queued);

  // Journal lines "seq" (an id given to an entry) and "last" (snapshot).
  bool apply(const StateJournal::Line& line);
  void snapshot(StateJournal::Snapshot& snapshot) const;

  size_t devices() const { return last_.size(); }
  size_t assignments() const { return assigned_.size(); }

 private:
  StateJournal& journal_;
  std::unordered_map<std::string, uint64_t> last_;      // device -> last id
  std::unordered_map<std::string, uint64_t> assigned_;  // entry -> its id
};

}  // namespace lnotify

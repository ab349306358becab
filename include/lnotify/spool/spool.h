// The spool: how a notification survives between the mail transaction's
// commit and its delivery by the dispatcher.
//
// Layout under the spool directory (created by the package, owned by the
// dispatcher's user):
//   tmp/       writers create a record here (mode 3733: anyone may create,
//              nobody but the owner may list; setgid so records belong to the
//              dispatcher's group)
//   incoming/  writers rename finished records here; a rename is atomic, so
//              the dispatcher never sees half a record
//   active/    the dispatcher's own queue (mode 0700): it claims incoming
//              records by renaming them here
//   corrupt/   records that could not be parsed, kept for inspection
//   presence/  lock files of IMAP sessions with a mailbox selected (mode
//              1733), see plugin/lnotify-presence.h
// Entry names start with a fixed-width timestamp, so sorting them gives
// submission order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lnotify/request/notification.h"
#include "lnotify/spool/reaction.h"
#include "lnotify/core/result.h"

namespace lnotify {

class Spool {
 public:
  explicit Spool(std::string directory);

  const std::string& directory() const { return directory_; }

  // Writer side (the mail plugin). With durable=true the record is flushed
  // to disk before this returns, so a committed message's notification
  // survives a machine crash (see recover_tmp for a lost rename).
  Result<std::string> submit(const NotificationRequest& request, bool durable) const;
  // A client's reaction goes the same way, so it keeps its place among the
  // user's notifications. It is never flushed: losing one to a machine
  // crash only means the ledger waits for the client's next login.
  Result<std::string> submit_reaction(const ClientReaction& reaction) const;

  // Dispatcher side.
  Result<void> prepare() const;  // creates the subdirectories with their modes
  // Moves the oldest incoming records, at most max of them, into active/,
  // returning the names it took in submission order.
  Result<std::vector<std::string>> claim_incoming(size_t max = SIZE_MAX) const;
  std::vector<std::string> active_entries() const;  // sorted, oldest first
  Result<std::string> read_active(const std::string& entry) const;
  void remove_active(const std::string& entry) const;
  // Moves a record that cannot be handled to corrupt/ (nothing is deleted
  // that an administrator might want to look at).
  void quarantine_active(const std::string& entry) const;
  // Deals with tmp/ files older than max_age_secs: complete records are
  // moved on to incoming/ (their writer committed but never renamed them),
  // the rest is removed.
  struct TmpRecovery {
    std::vector<std::string> recovered;
    std::vector<std::string> removed;
  };
  TmpRecovery recover_tmp(long max_age_secs) const;

 private:
  std::string path(const char* sub, const std::string& entry) const;
  Result<std::string> submit_record(const std::string& record, bool durable) const;

  std::string directory_;
};

}  // namespace lnotify

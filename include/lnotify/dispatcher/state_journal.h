// The dispatcher's durable state: sequence numbers, the ledger and the
// daily counts. The state lives in memory; this append-only file of
// tab-separated lines is its durable truth. It is replayed at start, and
// rewritten from memory (a snapshot) once it has grown.
//
// Why a journal: a sequence-id must be written before the notification
// carrying it is sent (a crash may then repeat an id, never reuse one).
// Appending a line costs far less than rewriting a file per device, and
// only a device's new block of ids needs an fdatasync (SequenceStore;
// doc/dispatcher.md, measured in bench/).
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "lnotify/core/result.h"

namespace lnotify {

class StateJournal {
 public:
  using Line = std::vector<std::string>;
  using ReplayFunc = std::function<void(const Line&)>;

  // A snapshot under construction (see rewrite).
  class Snapshot {
   public:
    void add(std::initializer_list<std::string_view> fields);
    const std::string& text() const { return text_; }

   private:
    std::string text_;
  };

  StateJournal() = default;
  StateJournal(const StateJournal&) = delete;
  StateJournal& operator=(const StateJournal&) = delete;
  ~StateJournal();

  // Opens <dir>/state, creating it if missing, and hands every complete
  // line to replay in order. A line cut by a crash (no final newline) is
  // cut off. Lines that do not decode are skipped and counted.
  Result<void> open(const std::string& dir, const ReplayFunc& replay);
  bool is_open() const { return fd_ >= 0; }
  size_t skipped_lines() const { return skipped_; }

  // Buffers one line; nothing reaches the file before write().
  void append(std::initializer_list<std::string_view> fields);
  bool has_pending() const { return !pending_.empty(); }
  // Writes the buffered lines; with durable, also flushes them to disk.
  Result<void> write(bool durable);

  // Bytes in the file, to decide when to take a snapshot.
  size_t size_bytes() const { return size_; }
  // Replaces the file by the snapshot: written beside it, flushed, renamed
  // over it and the directory flushed, so a crash leaves one or the other.
  // Lines buffered and not yet written are dropped: the snapshot holds
  // their effect.
  Result<void> rewrite(const Snapshot& snapshot);

 private:
  std::string dir_;
  std::string path_;
  int fd_ = -1;
  size_t size_ = 0;
  size_t skipped_ = 0;
  std::string pending_;
};

}  // namespace lnotify

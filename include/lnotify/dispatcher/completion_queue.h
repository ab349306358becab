// Where channel drivers leave the outcome of a send for the dispatcher.
//
// Drivers that wait on a peer (SIP transactions, HTTP requests, an XMPP
// stream) do so on their own threads, so the dispatcher's thread, which owns
// the queue, the ledger and the journal, never blocks. Their outcomes are
// posted here; an eventfd becomes readable, the glue's ioloop notices it and
// the dispatcher applies them on its own thread (Dispatcher::collect()).
// Nothing else crosses threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lnotify/core/result.h"

namespace lnotify {

class CompletionQueue {
 public:
  struct Outcome {
    uint64_t ticket;  // which send (Dispatcher's in-flight table)
    Result<void> result;
  };

  CompletionQueue();
  ~CompletionQueue();
  CompletionQueue(const CompletionQueue&) = delete;
  CompletionQueue& operator=(const CompletionQueue&) = delete;

  // Any thread.
  void post(uint64_t ticket, Result<void> result);
  // The owner's thread: takes every posted outcome and clears the fd.
  std::vector<Outcome> take();
  // Readable while outcomes wait; -1 if the kernel gave no eventfd (the
  // owner then relies on its periodic pass).
  int fd() const { return fd_; }

 private:
  std::mutex mutex_;
  std::vector<Outcome> outcomes_;
  int fd_ = -1;
};

}  // namespace lnotify

// Base of the drivers that talk to their peer in blocking steps (a SIP
// transaction with its retransmissions, an HTTP request): each send runs on
// one of the driver's own worker threads, so the dispatcher never waits.
// The number of workers bounds how many sends to this channel are in
// flight at once; more wait in the pool's queue, in order.
//
// A driver implements send_blocking(), which must bound its own time (every
// peer gets a timeout), because stopping the service waits for the sends in
// progress (what had not started stays in the spool and goes at the next
// start).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "lnotify/dispatcher/channel.h"

namespace lnotify {

class BlockingChannel : public Channel {
 public:
  explicit BlockingChannel(unsigned workers);
  ~BlockingChannel() override;

  void deliver(Delivery delivery, SendCompletion done) final;

 protected:
  // Runs on a worker thread. It must not touch the dispatcher's state.
  virtual Result<void> send_blocking(const Delivery& delivery) = 0;
  // Derived destructors call this first, so no worker runs send_blocking()
  // on a half-destroyed driver.
  void stop_workers();

 private:
  struct Job {
    Delivery delivery;
    SendCompletion done;
  };
  void work();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace lnotify

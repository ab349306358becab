#include "channels/common/blocking_channel.h"

namespace lnotify {

BlockingChannel::BlockingChannel(unsigned workers) {
  if (workers == 0) workers = 1;
  workers_.reserve(workers);
  for (unsigned i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
}

BlockingChannel::~BlockingChannel() { stop_workers(); }

void BlockingChannel::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& worker : workers_)
    if (worker.joinable()) worker.join();
  workers_.clear();
  // Jobs never started stay in the spool's active/ directory and are sent
  // by the next process; their completions are not called.
  std::lock_guard<std::mutex> lock(mutex_);
  jobs_.clear();
}

void BlockingChannel::deliver(Delivery delivery, SendCompletion done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    jobs_.push_back(Job{std::move(delivery), std::move(done)});
  }
  wake_.notify_one();
}

void BlockingChannel::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    Result<void> result = [&]() -> Result<void> {
      try {
        return send_blocking(job.delivery);
      } catch (const std::exception& e) {
        return temporary_error(std::string("driver failed: ") + e.what());
      }
    }();
    job.done(std::move(result));
  }
}

}  // namespace lnotify

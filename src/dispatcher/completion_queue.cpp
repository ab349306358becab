#include "lnotify/dispatcher/completion_queue.h"

#include <sys/eventfd.h>
#include <unistd.h>

namespace lnotify {

CompletionQueue::CompletionQueue() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

CompletionQueue::~CompletionQueue() {
  if (fd_ >= 0) close(fd_);
}

void CompletionQueue::post(uint64_t ticket, Result<void> result) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    outcomes_.push_back(Outcome{ticket, std::move(result)});
  }
  if (fd_ >= 0) {
    const uint64_t one = 1;
    // Fails only when the counter would overflow: it is readable then.
    [[maybe_unused]] ssize_t written = write(fd_, &one, sizeof(one));
  }
}

std::vector<CompletionQueue::Outcome> CompletionQueue::take() {
  if (fd_ >= 0) {
    uint64_t count = 0;
    [[maybe_unused]] ssize_t got = read(fd_, &count, sizeof(count));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Outcome> taken;
  taken.swap(outcomes_);
  return taken;
}

}  // namespace lnotify

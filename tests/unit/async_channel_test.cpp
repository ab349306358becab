// The dispatcher with a channel that waits on its peer on a worker thread
// (channels/blocking_channel.h): the notification stays in flight, holds
// back the account's later ones, and its outcome is applied when collected.
#include <poll.h>

#include <condition_variable>
#include <deque>
#include <mutex>

#include <gtest/gtest.h>

#include "channels/common/blocking_channel.h"
#include "fakes.h"
#include "lnotify/dispatcher/dispatcher.h"
#include "temp_dir.h"

namespace lnotify {
namespace {

using testing::FakeClock;
using testing::FixedRandom;
using testing::RecordingLogger;

constexpr int64_t kEventTime = 1700000000;

// A SIP-kind driver whose peer is the test: each send blocks until the test
// answers it, and records what it was given.
class PeerControlledChannel : public BlockingChannel {
 public:
  PeerControlledChannel() : BlockingChannel(2) {}
  ~PeerControlledChannel() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
    }
    changed_.notify_all();
    stop_workers();
  }
  ChannelKind kind() const override { return ChannelKind::Sip; }
  Result<void> validate_destination(std::string_view) const override { return {}; }

  // Waits until n sends have started (or a second has passed).
  bool wait_started(size_t n) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(1), [&] { return started.size() >= n; });
  }
  void answer(Result<void> outcome) {
    std::lock_guard<std::mutex> lock(mutex_);
    answers_.push_back(std::move(outcome));
    changed_.notify_all();
  }
  std::vector<Delivery> started;

 protected:
  Result<void> send_blocking(const Delivery& delivery) override {
    std::unique_lock<std::mutex> lock(mutex_);
    started.push_back(delivery);
    changed_.notify_all();
    changed_.wait(lock, [&] { return closing_ || !answers_.empty(); });
    if (answers_.empty()) return temporary_error("shutting down");
    Result<void> outcome = std::move(answers_.front());
    answers_.pop_front();
    return outcome;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Result<void>> answers_;
  bool closing_ = false;
};

class AsyncChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(spool.prepare().has_value());
    policy.unanswered_limit = 0;
    policy.rate_limit = RateLimit{};
    policy.retry_base_secs = 30;
    policy.expire_secs = 3600;
    DispatcherOptions options;
    options.policy = policy;
    options.state_dir = state.path();
    options.clock = &clock;
    options.random = std::make_unique<FixedRandom>(0.5);
    dispatcher = std::make_unique<Dispatcher>(Spool(dir.path()), logger, std::move(options));
    auto owned = std::make_unique<PeerControlledChannel>();
    channel = owned.get();
    dispatcher->add_channel(std::move(owned));
    ASSERT_TRUE(dispatcher->start().has_value());
  }

  void submit(uint32_t uid, PayloadFormat format = PayloadFormat::Extended) {
    NotificationRequest r;
    r.user = "alice";
    r.account = "alice@example.test";
    r.mailbox = "INBOX";
    r.event = "MessageNew";
    r.uid = uid;
    r.uidvalidity = 7;
    r.timestamp = kEventTime;
    r.channel = ChannelKind::Sip;
    r.format = format;
    r.address = "sip:alice@127.0.0.1";
    ASSERT_TRUE(spool.submit(r, false).has_value());
    dispatcher->claim();
  }
  // Waits for the completion fd, as the glue's ioloop does, then collects.
  DispatchStats collect() {
    struct pollfd p{dispatcher->completion_fd(), POLLIN, 0};
    EXPECT_EQ(poll(&p, 1, 2000), 1) << "the completion fd never became readable";
    return dispatcher->collect();
  }

  testing::TempDir dir, state;
  Spool spool{dir.path()};
  RecordingLogger logger;
  FakeClock clock{(kEventTime + 1) * 1000};
  DispatchPolicy policy;
  std::unique_ptr<Dispatcher> dispatcher;
  PeerControlledChannel* channel = nullptr;
};

TEST_F(AsyncChannelTest, InFlightHoldsBackTheAccountUntilThePeerAnswers) {
  submit(1);
  submit(2);
  EXPECT_EQ(dispatcher->run_due().sent, 0u);
  ASSERT_TRUE(channel->wait_started(1));
  EXPECT_EQ(dispatcher->in_flight(), 1u);
  // Nothing else is due: the second waits behind the first.
  auto due = dispatcher->next_due_ms();
  ASSERT_TRUE(due.has_value());
  EXPECT_GT(*due, clock.now + 3600 * 1000);
  dispatcher->run_due();
  EXPECT_EQ(channel->started.size(), 1u);

  channel->answer({});
  EXPECT_EQ(collect().sent, 1u);
  EXPECT_TRUE(logger.contains(LogLevel::Info, "sent EXTENDED over SIP to sip:alice@127.0.0.1"));
  dispatcher->run_due();
  ASSERT_TRUE(channel->wait_started(2));
  EXPECT_EQ(channel->started[1].request.uid, 2u);
  EXPECT_EQ(channel->started[1].request.sequence_id, 2u);
  channel->answer({});
  EXPECT_EQ(collect().sent, 1u);
  EXPECT_EQ(dispatcher->queued(), 0u);
}

TEST_F(AsyncChannelTest, TemporaryFailureHonoursThePeersRetryAfter) {
  submit(1);
  dispatcher->run_due();
  ASSERT_TRUE(channel->wait_started(1));
  Error busy = temporary_error("503 Service Unavailable");
  busy.retry_after_ms = 600 * 1000;  // longer than the 30 s backoff
  channel->answer(busy);
  EXPECT_EQ(collect().retried, 1u);
  EXPECT_EQ(*dispatcher->next_due_ms(), clock.now + 600 * 1000);
  clock.now += 600 * 1000;
  dispatcher->run_due();
  ASSERT_TRUE(channel->wait_started(2));
  channel->answer({});
  EXPECT_EQ(collect().sent, 1u);
}

TEST_F(AsyncChannelTest, PayloadTooLargeGoesAgainAsAWakeup) {
  submit(1);
  dispatcher->run_due();
  ASSERT_TRUE(channel->wait_started(1));
  EXPECT_EQ(channel->started[0].request.format, PayloadFormat::Extended);
  Error big = permanent_error("413 Payload Too Large");
  big.too_large = true;
  channel->answer(big);
  EXPECT_EQ(collect().retried, 1u);
  dispatcher->run_due();
  ASSERT_TRUE(channel->wait_started(2));
  EXPECT_EQ(channel->started[1].request.format, PayloadFormat::Wakeup);
  // A wake-up refused as too large is a permanent failure.
  channel->answer(big);
  EXPECT_EQ(collect().dropped, 1u);
  EXPECT_EQ(logger.count_events("lnotify_notification_failed", "permanent_failure"), 1u);
}

TEST_F(AsyncChannelTest, DeletedWhileInFlightIgnoresTheLateAnswer) {
  submit(1);
  dispatcher->run_due();
  ASSERT_TRUE(channel->wait_started(1));
  EXPECT_EQ(dispatcher->remove("", {}), 1u);
  channel->answer({});
  EXPECT_EQ(collect().sent, 0u);
  EXPECT_EQ(logger.count_events("lnotify_notification_sent"), 0u);
  EXPECT_EQ(dispatcher->in_flight(), 0u);
}

TEST_F(AsyncChannelTest, FlushDoesNotSendAnInFlightNotificationTwice) {
  submit(1);
  dispatcher->run_due();
  ASSERT_TRUE(channel->wait_started(1));
  EXPECT_EQ(dispatcher->flush("", {}), 0u);
  dispatcher->run_due();
  EXPECT_FALSE(channel->wait_started(2));
  auto rows = dispatcher->list("", 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, "in-flight");
  channel->answer({});
  EXPECT_EQ(collect().sent, 1u);
}

}  // namespace
}  // namespace lnotify

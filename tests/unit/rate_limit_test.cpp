#include "lnotify/dispatcher/rate_limit.h"

#include <gtest/gtest.h>

#include "lnotify/dispatcher/backoff.h"

namespace lnotify {
namespace {

TEST(RateLimit, Parses) {
  auto limit = parse_rate_limit("30/60");
  ASSERT_TRUE(limit.has_value());
  EXPECT_EQ(limit->count, 30u);
  EXPECT_EQ(limit->per_secs, 60u);
  auto off = parse_rate_limit("0");
  ASSERT_TRUE(off.has_value());
  EXPECT_FALSE(off->enabled());
  for (const char* bad : {"", "30", "30/", "/60", "0/60", "30/0", "x/60", "30/60s", "-1/60"})
    EXPECT_FALSE(parse_rate_limit(bad).has_value()) << bad;
}

TEST(RateLimit, AtMostNInAnyWindow) {
  RateLimiter limiter(RateLimit{3, 10});
  const std::string a = "alice";
  int64_t now = 1000000;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.next_allowed_ms(a, now), now);
    limiter.record(a, now);
    now += 1000;
  }
  // sent at 1000000, 1001000, 1002000: the next when the first leaves
  EXPECT_EQ(limiter.next_allowed_ms(a, now), 1010000);
  EXPECT_EQ(limiter.next_allowed_ms("bob", now), now) << "per user";
  now = 1010000;
  EXPECT_EQ(limiter.next_allowed_ms(a, now), now);
  limiter.record(a, now);
  EXPECT_EQ(limiter.next_allowed_ms(a, now), 1011000);
}

TEST(RateLimit, NoLimitNeverHolds) {
  RateLimiter limiter(RateLimit{});
  for (int i = 0; i < 1000; ++i) limiter.record("a", 5);
  EXPECT_EQ(limiter.next_allowed_ms("a", 5), 5);
  EXPECT_EQ(limiter.tracked_keys(), 0u);
}

TEST(RateLimit, IdleUsersAreForgotten) {
  RateLimiter limiter(RateLimit{2, 10});
  limiter.record("a", 0);
  limiter.record("b", 5000);
  limiter.forget_idle(12000);
  EXPECT_EQ(limiter.tracked_keys(), 1u);
  limiter.forget_idle(15001);
  EXPECT_EQ(limiter.tracked_keys(), 0u);
}

TEST(Backoff, DoublesUpToTheMaximumWithEqualJitter) {
  DispatchPolicy policy;
  policy.retry_base_secs = 30;
  policy.retry_max_secs = 300;
  EXPECT_EQ(backoff_delay_ms(policy, 1, 0.0), 15000);
  EXPECT_EQ(backoff_delay_ms(policy, 1, 0.999999), 29999);
  EXPECT_EQ(backoff_delay_ms(policy, 2, 0.0), 30000);
  EXPECT_EQ(backoff_delay_ms(policy, 3, 0.5), 90000);
  EXPECT_EQ(backoff_delay_ms(policy, 4, 0.0), 120000);
  EXPECT_EQ(backoff_delay_ms(policy, 5, 0.0), 150000) << "300 s, the maximum";
  EXPECT_EQ(backoff_delay_ms(policy, 1000, 0.0), 150000) << "no overflow";
}

}  // namespace
}  // namespace lnotify

#include "lnotify/metadata/destination_policy.h"

#include <gtest/gtest.h>

namespace lnotify {
namespace {

TEST(DestinationPolicy, NetworksAddressesAndNames) {
  auto policy = DestinationPolicy::parse("192.0.2.0/24, 198.51.100.7 2001:db8::/32 push.example.org");
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  EXPECT_TRUE(policy->allows_host("192.0.2.1"));
  EXPECT_TRUE(policy->allows_host("192.0.2.255"));
  EXPECT_FALSE(policy->allows_host("192.0.3.0"));
  EXPECT_TRUE(policy->allows_host("198.51.100.7"));
  EXPECT_FALSE(policy->allows_host("198.51.100.8"));
  EXPECT_TRUE(policy->allows_host("2001:db8::1"));
  EXPECT_FALSE(policy->allows_host("2001:db9::1"));
  EXPECT_TRUE(policy->allows_host("PUSH.example.org"));
  EXPECT_FALSE(policy->allows_host("evil.example.org"));
  EXPECT_FALSE(policy->allows_host("127.0.0.1"));
  EXPECT_FALSE(policy->allows_address("push.example.org"));
}

TEST(DestinationPolicy, OddPrefixes) {
  auto policy = DestinationPolicy::parse("10.0.0.0/9 ::/0");
  ASSERT_TRUE(policy.has_value());
  EXPECT_TRUE(policy->allows_host("10.127.255.255"));
  EXPECT_FALSE(policy->allows_host("10.128.0.0"));
  EXPECT_TRUE(policy->allows_host("fe80::1"));
  EXPECT_FALSE(policy->allows_host("11.0.0.1"));
}

TEST(DestinationPolicy, EmptyAllowsNothing) {
  DestinationPolicy policy;
  EXPECT_TRUE(policy.empty());
  EXPECT_FALSE(policy.allows_host("127.0.0.1"));
  auto parsed = DestinationPolicy::parse("  ");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(parsed->empty());
}

TEST(DestinationPolicy, RefusesGarbage) {
  for (const char* bad : {"192.0.2.0/33", "2001:db8::/129", "192.0.2.0/", "192.0.2.0/x",
                          "host_name", "a/b", "-", "1.2.3.4/-1"})
    EXPECT_FALSE(DestinationPolicy::parse(bad).has_value()) << bad;
}

}  // namespace
}  // namespace lnotify

#include "lnotify/dispatcher/dispatch_admin.h"

#include <gtest/gtest.h>

#include "channels/udp/udp_channel.h"
#include "fakes.h"
#include "temp_dir.h"

namespace lnotify {
namespace {

using testing::FakeClock;
using testing::FakeDatagramTransport;
using testing::RecordingLogger;
using testing::SentDatagram;

class DispatchAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(spool.prepare().has_value());
    DispatcherOptions options;
    options.state_dir = state.path();
    options.clock = &clock;
    options.policy.unanswered_limit = 0;
    options.policy.rate_limit = RateLimit{};
    dispatcher = std::make_unique<Dispatcher>(Spool(dir.path()), logger, std::move(options));
    auto transport = std::make_unique<FakeDatagramTransport>(sent);
    transport->fail_with = temporary_error("down");
    dispatcher->add_channel(std::make_unique<udp::UdpChannel>(
        std::move(transport), *DestinationPolicy::parse("127.0.0.0/8 ::1")));
    ASSERT_TRUE(dispatcher->start().has_value());
    for (uint32_t uid = 1; uid <= 2; ++uid) {
      NotificationRequest r;
      r.user = "alice";
      r.account = uid == 1 ? "alice@example.test" : "bob@example.test";
      r.mailbox = "INBOX";
      r.event = "MessageNew";
      r.uid = uid;
      r.timestamp = clock.now / 1000;
      r.address = "127.0.0.1:9";
      ASSERT_TRUE(spool.submit(r, false).has_value());
    }
    dispatcher->claim();
    dispatcher->run_due();
  }

  std::pair<Result<std::string>, std::vector<AdminRow>> run(std::vector<std::string> args) {
    std::vector<AdminRow> rows;
    auto summary = run_admin_command(*dispatcher, args, [&](const AdminRow& r) { rows.push_back(r); });
    return {std::move(summary), std::move(rows)};
  }

  testing::TempDir dir, state;
  Spool spool{dir.path()};
  RecordingLogger logger;
  FakeClock clock{1700000000000};
  std::vector<SentDatagram> sent;
  std::unique_ptr<Dispatcher> dispatcher;
};

TEST_F(DispatchAdminTest, ListRowsFollowTheColumns) {
  auto [summary, rows] = run({"LIST", "", "10"});
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(*summary, "2 of 2 queued notification(s) shown");
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) EXPECT_EQ(row.size(), admin_list_columns().size());
  EXPECT_EQ(rows[0][1], "alice@example.test");
  EXPECT_EQ(rows[0][2], "retry");
  EXPECT_EQ(rows[0][13], "down");
  auto [one, one_rows] = run({"LIST", "bob"});
  EXPECT_EQ(one_rows.size(), 1u);
  EXPECT_FALSE(run({"LIST", "", "ten"}).first.has_value());
}

TEST_F(DispatchAdminTest, FlushDeleteAndLedger) {
  EXPECT_EQ(*run({"FLUSH", "alice"}).first, "1 notification(s) due now");
  auto refused = run({"DELETE", ""}).first;
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("refusing to empty the queue"), std::string::npos);
  EXPECT_EQ(*run({"DELETE", "bob@example.test"}).first, "1 notification(s) deleted");
  EXPECT_EQ(dispatcher->queued(), 1u);
  auto [ledger, rows] = run({"LEDGER"});
  EXPECT_EQ(*ledger, "0 user(s) with unanswered notifications");
  EXPECT_TRUE(rows.empty());
}

TEST_F(DispatchAdminTest, UnknownCommandsAreRefused) {
  auto result = run({"PURGE"}).first;
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("unknown command \"PURGE\""), std::string::npos);
  EXPECT_FALSE(run({}).first.has_value());
}

}  // namespace
}  // namespace lnotify

#include "lnotify/dispatcher.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "channels/udp/udp_channel.h"
#include "fakes.h"
#include "lnotify/payload.h"
#include "temp_dir.h"

namespace lnotify {
namespace {

namespace fs = std::filesystem;
using testing::FakeDatagramTransport;
using testing::RecordingLogger;
using testing::SentDatagram;

DestinationPolicy loopback() { return *DestinationPolicy::parse("127.0.0.0/8 ::1"); }

NotificationRequest request(uint32_t uid, ChannelKind channel = ChannelKind::Udp,
                            std::string address = "127.0.0.1:2948") {
  NotificationRequest r;
  r.user = "alice";
  r.account = "alice@example.test";
  r.mailbox = "INBOX";
  r.event = "MessageNew";
  r.uid = uid;
  r.uidvalidity = 7;
  r.timestamp = 1077259200;
  r.channel = channel;
  r.address = std::move(address);
  return r;
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(spool.prepare().has_value());
    auto transport = std::make_unique<FakeDatagramTransport>(sent);
    fake = transport.get();
    dispatcher.add_channel(std::make_unique<udp::UdpChannel>(std::move(transport), loopback()));
  }
  size_t files_in(const char* sub) {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir.path() + "/" + sub),
                                             fs::directory_iterator{}));
  }

  testing::TempDir dir;
  Spool spool{dir.path()};
  RecordingLogger logger;
  Dispatcher dispatcher{Spool(dir.path()), logger};
  std::vector<SentDatagram> sent;
  FakeDatagramTransport* fake = nullptr;
};

TEST_F(DispatcherTest, SendsTheEmnWakeupAsOneDatagram) {
  ASSERT_TRUE(spool.submit(request(1), false).has_value());
  auto stats = dispatcher.run_once();
  EXPECT_EQ(stats.sent, 1u);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].host, "127.0.0.1");
  EXPECT_EQ(sent[0].port, 2948);
  auto expected = build_payload(request(1));
  ASSERT_TRUE(expected.has_value());
  EXPECT_EQ(sent[0].bytes, expected->bytes);
  EXPECT_EQ(files_in("active"), 0u);
  EXPECT_TRUE(logger.contains(LogLevel::Info, "sent WAKEUP over UDP to 127.0.0.1:2948"));
}

TEST_F(DispatcherTest, ExtendedPayloadCutToTheLimitIsLogged) {
  NotificationRequest r = request(1);
  r.format = PayloadFormat::Extended;
  r.subject = "A subject";
  r.snippet = std::string(300, 'x');
  r.size_limit = 300;
  ASSERT_TRUE(spool.submit(r, false).has_value());
  EXPECT_EQ(dispatcher.run_once().sent, 1u);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_LE(sent[0].bytes.size(), 300u);
  EXPECT_TRUE(logger.contains(LogLevel::Info, "cut to fit size=300: snippet cut to"));
}

TEST(DispatcherOptions, SendsTheBinaryWakeupWhenConfigured) {
  testing::TempDir dir;
  Spool spool(dir.path());
  ASSERT_TRUE(spool.prepare().has_value());
  RecordingLogger logger;
  PayloadOptions options;
  options.udp_wakeup = UdpWakeupForm::Wsp;
  Dispatcher dispatcher(Spool(dir.path()), logger, std::move(options));
  std::vector<SentDatagram> sent;
  dispatcher.add_channel(
      std::make_unique<udp::UdpChannel>(std::make_unique<FakeDatagramTransport>(sent), loopback()));
  ASSERT_TRUE(spool.submit(request(1), false).has_value());
  EXPECT_EQ(dispatcher.run_once().sent, 1u);
  ASSERT_EQ(sent.size(), 1u);
  // TID 00, Push, headers: Content-Type 0x030A, X-Wap-Application-Id emn.ua;
  // then the WBXML EMN.
  EXPECT_EQ(sent[0].bytes.substr(0, 13), std::string("\x00\x06\x06\x03\x02\x03\x0A\xAF\x89\x03\x0D\x6A\x00", 13));
}

TEST_F(DispatcherTest, KeepsOrderOfSubmission) {
  for (uint32_t uid = 1; uid <= 20; ++uid) ASSERT_TRUE(spool.submit(request(uid), false).has_value());
  auto stats = dispatcher.run_once();
  EXPECT_EQ(stats.sent, 20u);
  ASSERT_EQ(sent.size(), 20u);
  // every wake-up names the same mailbox; the spool's order is the claim order
  EXPECT_TRUE(fs::is_empty(dir.path() + "/active"));
}

TEST_F(DispatcherTest, TemporaryFailureKeepsTheNotification) {
  ASSERT_TRUE(spool.submit(request(1), false).has_value());
  fake->fail_with = temporary_error("sendto: No buffer space available");
  auto stats = dispatcher.run_once();
  EXPECT_EQ(stats.deferred, 1u);
  EXPECT_EQ(files_in("active"), 1u);
  EXPECT_TRUE(logger.contains(LogLevel::Warning, "deferred"));

  fake->fail_with.reset();
  stats = dispatcher.run_once();
  EXPECT_EQ(stats.sent, 1u);
  EXPECT_EQ(sent.size(), 1u);
  EXPECT_EQ(files_in("active"), 0u);
}

TEST_F(DispatcherTest, PermanentFailureIsDroppedAndLogged) {
  ASSERT_TRUE(spool.submit(request(1), false).has_value());
  fake->fail_with = permanent_error("resolving nowhere failed");
  auto stats = dispatcher.run_once();
  EXPECT_EQ(stats.dropped, 1u);
  EXPECT_EQ(files_in("active"), 0u);
  EXPECT_TRUE(logger.contains(LogLevel::Error, "user=alice mailbox=INBOX uid=1"));
}

TEST_F(DispatcherTest, ChannelNotEnabledIsAnError) {
  ASSERT_TRUE(spool.submit(request(1, ChannelKind::Sms, "+15551234567"), false).has_value());
  auto stats = dispatcher.run_once();
  EXPECT_EQ(stats.dropped, 1u);
  EXPECT_TRUE(sent.empty());
  EXPECT_TRUE(logger.contains(LogLevel::Error, "channel SMS is not enabled"));
}

TEST_F(DispatcherTest, InvalidDestinationIsAnError) {
  ASSERT_TRUE(spool.submit(request(1, ChannelKind::Udp, "nowhere"), false).has_value());
  EXPECT_EQ(dispatcher.run_once().dropped, 1u);
  EXPECT_TRUE(logger.contains(LogLevel::Error, "invalid UDP address"));
}

TEST_F(DispatcherTest, UnreadableRecordIsQuarantined) {
  std::ofstream(dir.path() + "/incoming/0000000000000001-1-0-0") << "garbage\n";
  auto stats = dispatcher.run_once();
  EXPECT_EQ(stats.dropped, 1u);
  EXPECT_TRUE(fs::exists(dir.path() + "/corrupt/0000000000000001-1-0-0"));
  EXPECT_TRUE(logger.contains(LogLevel::Error, "moved to corrupt/"));
}

}  // namespace
}  // namespace lnotify

#include "lnotify/dispatcher/dispatcher.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "channels/udp/udp_channel.h"
#include "fakes.h"
#include "lnotify/payload/payload.h"
#include "temp_dir.h"

namespace lnotify {
namespace {

namespace fs = std::filesystem;
using testing::FakeClock;
using testing::FakeDatagramTransport;
using testing::FixedRandom;
using testing::RecordingLogger;
using testing::SentDatagram;

constexpr int64_t kEventTime = 1700000000;  // the requests' timestamp (s)

DestinationPolicy loopback() { return *DestinationPolicy::parse("127.0.0.0/8 ::1"); }

NotificationRequest request(uint32_t uid, const std::string& account = "alice@example.test",
                            uint16_t port = 2948,
                            PayloadFormat format = PayloadFormat::Extended) {
  NotificationRequest r;
  r.user = account.substr(0, account.find('@'));
  r.account = account;
  r.mailbox = "INBOX";
  r.event = "MessageNew";
  r.uid = uid;
  r.uidvalidity = 7;
  r.timestamp = kEventTime;
  r.channel = ChannelKind::Udp;
  r.format = format;
  r.address = "127.0.0.1:" + std::to_string(port);
  return r;
}

// What a datagram says: an EMN wake-up or an xemn with uid and sequence-id.
struct Seen {
  bool wakeup = false;
  uint32_t uid = 0;
  uint64_t sequence_id = 0;
};

Seen parse(const SentDatagram& d) {
  Seen seen;
  seen.wakeup = d.bytes.find("<emn ") != std::string::npos;
  std::smatch m;
  if (std::regex_search(d.bytes, m, std::regex(" uid=\"(\\d+)\"")))
    seen.uid = static_cast<uint32_t>(std::stoul(m[1]));
  if (std::regex_search(d.bytes, m, std::regex(" sequence-id=\"(\\d+)\"")))
    seen.sequence_id = std::stoull(m[1]);
  return seen;
}

std::vector<uint32_t> uids(const std::vector<SentDatagram>& sent) {
  std::vector<uint32_t> result;
  for (const auto& d : sent) result.push_back(parse(d).uid);
  return result;
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(spool.prepare().has_value());
    // Everything off but what a test turns on.
    policy.unanswered_limit = 0;
    policy.rate_limit = RateLimit{};
    policy.retry_base_secs = 30;
    policy.retry_max_secs = 600;
    policy.expire_secs = 3600;
    policy.reminder_interval_secs = 0;
    restart();
  }

  // A new dispatcher process on the same spool and state directory.
  void restart(PayloadOptions payload = PayloadOptions{}) {
    dispatcher.reset();
    DispatcherOptions options;
    options.payload = std::move(payload);
    options.policy = policy;
    options.state_dir = state.path();
    options.clock = &clock;
    options.random = std::make_unique<FixedRandom>(0.5);
    dispatcher = std::make_unique<Dispatcher>(Spool(dir.path()), logger, std::move(options));
    auto transport = std::make_unique<FakeDatagramTransport>(sent);
    fake = transport.get();
    dispatcher->add_channel(std::make_unique<udp::UdpChannel>(std::move(transport), loopback()));
    auto started = dispatcher->start();
    ASSERT_TRUE(started.has_value()) << started.error().message;
  }

  std::string submit(const NotificationRequest& r) {
    auto entry = spool.submit(r, false);
    EXPECT_TRUE(entry.has_value());
    return entry.has_value() ? *entry : "";
  }
  void react(const std::string& account = "alice@example.test") {
    ASSERT_TRUE(spool.submit_reaction({account, clock.now / 1000, "login"}).has_value());
  }
  // Passes until nothing more is due now (each pass is bounded).
  DispatchStats run() {
    DispatchStats total;
    while (dispatcher->claim()) {
    }
    for (int i = 0; i < 10000; ++i) {
      auto due = dispatcher->next_due_ms();
      if (!due || *due > clock.now) break;
      auto stats = dispatcher->run_due();
      total.sent += stats.sent;
      total.retried += stats.retried;
      total.held += stats.held;
      total.dropped += stats.dropped;
      if (stats.sent + stats.retried + stats.held + stats.dropped == 0) break;
    }
    return total;
  }
  size_t files_in(const char* sub) {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir.path() + "/" + sub),
                                             fs::directory_iterator{}));
  }

  testing::TempDir dir;
  testing::TempDir state;
  Spool spool{dir.path()};
  RecordingLogger logger;
  FakeClock clock{(kEventTime + 1) * 1000};
  DispatchPolicy policy;
  std::vector<SentDatagram> sent;
  FakeDatagramTransport* fake = nullptr;
  std::unique_ptr<Dispatcher> dispatcher;
};

TEST_F(DispatcherTest, SendsTheEmnWakeupAsOneDatagram) {
  submit(request(1, "alice@example.test", 2948, PayloadFormat::Wakeup));
  auto stats = run();
  EXPECT_EQ(stats.sent, 1u);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].host, "127.0.0.1");
  EXPECT_EQ(sent[0].port, 2948);
  auto expected = build_payload(request(1, "alice@example.test", 2948, PayloadFormat::Wakeup));
  ASSERT_TRUE(expected.has_value());
  EXPECT_EQ(sent[0].bytes, expected->bytes);
  EXPECT_EQ(files_in("active"), 0u);
  EXPECT_TRUE(logger.contains(LogLevel::Info, "sent WAKEUP over UDP to 127.0.0.1:2948 (user=alice "
                                              "mailbox=INBOX uid=1 event=MessageNew seq=1"));
  EXPECT_EQ(logger.count_events("lnotify_notification_sent"), 1u);
  EXPECT_EQ(logger.events.back().channel, "UDP");
  EXPECT_EQ(logger.events.back().user, "alice@example.test");
}

TEST_F(DispatcherTest, ExtendedPayloadCutToTheLimitIsLogged) {
  NotificationRequest r = request(1);
  r.subject = "A subject";
  r.snippet = std::string(300, 'x');
  r.size_limit = 300;
  submit(r);
  EXPECT_EQ(run().sent, 1u);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_LE(sent[0].bytes.size(), 300u);
  EXPECT_TRUE(logger.contains(LogLevel::Info, "cut to fit size=300: snippet cut to"));
}

TEST_F(DispatcherTest, SendsTheBinaryWakeupWhenConfigured) {
  PayloadOptions options;
  options.udp_wakeup = UdpWakeupForm::Wsp;
  restart(std::move(options));
  submit(request(1, "alice@example.test", 2948, PayloadFormat::Wakeup));
  EXPECT_EQ(run().sent, 1u);
  ASSERT_EQ(sent.size(), 1u);
  // TID 01 (the sequence-id's low octet), Push, headers: Content-Type
  // 0x030A, X-Wap-Application-Id emn.ua; then the WBXML EMN.
  EXPECT_EQ(sent[0].bytes.substr(0, 13),
            std::string("\x01\x06\x06\x03\x02\x03\x0A\xAF\x89\x03\x0D\x6A\x00", 13));
}

TEST_F(DispatcherTest, SendsInOrderOfSubmission) {
  for (uint32_t uid = 1; uid <= 20; ++uid) submit(request(uid));
  EXPECT_EQ(run().sent, 20u);
  std::vector<uint32_t> expected;
  for (uint32_t uid = 1; uid <= 20; ++uid) expected.push_back(uid);
  EXPECT_EQ(uids(sent), expected);
  EXPECT_TRUE(fs::is_empty(dir.path() + "/active"));
}

TEST_F(DispatcherTest, SequenceIdsCountPerDeviceFromOne) {
  submit(request(1, "alice@example.test", 2948));
  submit(request(2, "alice@example.test", 2949));  // her second device
  submit(request(3, "alice@example.test", 2948));
  submit(request(4, "bob@example.test", 2948));
  EXPECT_EQ(run().sent, 4u);
  std::map<uint32_t, uint64_t> id_of_uid;
  for (const auto& d : sent) id_of_uid[parse(d).uid] = parse(d).sequence_id;
  EXPECT_EQ(id_of_uid, (std::map<uint32_t, uint64_t>{{1, 1}, {2, 1}, {3, 2}, {4, 1}}));
  EXPECT_EQ(dispatcher->sequences().last(SequenceStore::device_key(request(0))), 2u);
}

TEST_F(DispatcherTest, SequenceIdsContinueAfterARestart) {
  submit(request(1));
  submit(request(2));
  run();
  restart();
  submit(request(3));
  run();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(parse(sent[2]).sequence_id, 3u);
}

// What a reboot does to the journal: another boot id; without the "clean"
// line of an orderly stop when the machine went down with the dispatcher.
void as_after_reboot(const std::string& journal_path, bool stopped_cleanly) {
  std::ifstream in(journal_path);
  std::string line, text;
  while (std::getline(in, line)) {
    if (line.rfind("boot\t", 0) == 0) line = "boot\tanother-boot";
    if (line == "clean" && !stopped_cleanly) continue;
    text += line + "\n";
  }
  in.close();
  std::ofstream(journal_path, std::ios::trunc) << text;
}

TEST_F(DispatcherTest, SequenceIdsAfterARebootContinueWhenStoppedCleanlyElseSkipTheReservation) {
  submit(request(1));
  submit(request(2));
  run();
  dispatcher.reset();  // an orderly stop
  as_after_reboot(state.path() + "/state", true);
  restart();
  submit(request(3));
  run();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(parse(sent[2]).sequence_id, 3u) << "a clean stop leaves nothing unflushed";

  dispatcher.reset();
  as_after_reboot(state.path() + "/state", false);  // as if the machine had crashed
  restart();
  submit(request(4));
  run();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(parse(sent[3]).sequence_id, SequenceStore::kReserveBlock + 1)
      << "ids written but perhaps not flushed are never given again";
  EXPECT_TRUE(logger.contains(LogLevel::Warning, "sequence-ids of 1 device(s) skip to the end of "
                                                 "their reservation"));
}

TEST_F(DispatcherTest, TemporaryFailureIsRetriedWithBackoffAndItsCauseLogged) {
  submit(request(1));
  fake->fail_with = temporary_error("sendto(127.0.0.1:2948) failed: Connection refused");
  auto stats = run();
  EXPECT_EQ(stats.retried, 1u);
  EXPECT_EQ(files_in("active"), 1u);
  // base 30 s with the jitter fixed at half: 15 + 7.5 s
  EXPECT_TRUE(logger.contains(LogLevel::Warning,
                              "notification deferred (user=alice mailbox=INBOX uid=1 "
                              "event=MessageNew seq=1): sendto(127.0.0.1:2948) failed: Connection "
                              "refused; attempt 1 failed, next in 23 s"));
  EXPECT_EQ(logger.count_events("lnotify_notification_retried", "temporary_failure"), 1u);
  ASSERT_TRUE(dispatcher->next_due_ms().has_value());
  EXPECT_EQ(*dispatcher->next_due_ms(), clock.now + 22500);

  clock.advance_secs(22);
  EXPECT_EQ(run().retried, 0u) << "not before its time";
  EXPECT_EQ(fake->attempts, 1u);
  clock.advance_secs(1);
  EXPECT_EQ(run().retried, 1u);
  // second failure: 60 s, jittered to 45 s
  EXPECT_TRUE(logger.contains(LogLevel::Warning, "attempt 2 failed, next in 45 s"));

  fake->fail_with.reset();
  clock.advance_secs(45);
  EXPECT_EQ(run().sent, 1u);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(parse(sent[0]).sequence_id, 1u) << "a retry keeps its sequence-id";
  EXPECT_EQ(files_in("active"), 0u);
}

TEST_F(DispatcherTest, BackoffStopsGrowingAtRetryMax) {
  submit(request(1));
  fake->fail_with = temporary_error("gateway down");
  for (int i = 0; i < 8; ++i) {
    run();
    clock.now = *dispatcher->next_due_ms();
  }
  // 30, 60, 120, 240, 480, then 600 (retry_max), jittered by half
  EXPECT_TRUE(logger.contains(LogLevel::Warning, "attempt 6 failed, next in 450 s"));
  EXPECT_TRUE(logger.contains(LogLevel::Warning, "attempt 7 failed, next in 450 s"));
}

TEST_F(DispatcherTest, PermanentFailureIsDroppedWithoutRetry) {
  submit(request(1));
  fake->fail_with = permanent_error("sendto(255.255.255.255:9) failed: Permission denied");
  auto stats = run();
  EXPECT_EQ(stats.dropped, 1u);
  EXPECT_EQ(fake->attempts, 1u);
  EXPECT_EQ(files_in("active"), 0u);
  EXPECT_FALSE(dispatcher->next_due_ms().has_value());
  EXPECT_TRUE(logger.contains(LogLevel::Error, "user=alice mailbox=INBOX uid=1"));
  EXPECT_EQ(logger.count_events("lnotify_notification_failed", "permanent_failure"), 1u);
  clock.advance_secs(86400);
  run();
  EXPECT_EQ(fake->attempts, 1u);
}

TEST_F(DispatcherTest, LaterNotificationsWaitBehindARetryOthersDoNot) {
  fake->fail_port = 2948;
  fake->fail_port_with = temporary_error("gateway down");
  submit(request(1, "alice@example.test", 2948));
  submit(request(2, "alice@example.test", 2949));  // another device, same user
  submit(request(3, "alice@example.test", 2949));
  submit(request(4, "bob@example.test", 2949));
  run();
  ASSERT_EQ(sent.size(), 1u) << "only bob's: alice's 2 and 3 wait behind her 1";
  EXPECT_EQ(parse(sent[0]).uid, 4u);

  fake->fail_port_with.reset();
  clock.advance_secs(30);
  run();
  EXPECT_EQ(uids(sent), (std::vector<uint32_t>{4, 1, 2, 3}));
}

TEST_F(DispatcherTest, ExpiredNotificationIsDroppedAndLogged) {
  submit(request(1));
  fake->fail_with = temporary_error("gateway down");
  run();
  for (int i = 0; i < 20 && dispatcher->next_due_ms(); ++i) {
    clock.now = *dispatcher->next_due_ms();
    run();
  }
  EXPECT_FALSE(dispatcher->next_due_ms().has_value());
  EXPECT_EQ(files_in("active"), 0u);
  EXPECT_TRUE(logger.contains(LogLevel::Warning, "expired after "));
  EXPECT_TRUE(logger.contains(LogLevel::Warning, "(expire = 3600 s); last error: gateway down"));
  EXPECT_EQ(logger.count_events("lnotify_notification_dropped", "expired"), 1u);
  EXPECT_LE(clock.now, (kEventTime + 3600) * 1000) << "dropped at its expiry, not later";
}

TEST_F(DispatcherTest, NotificationsOlderThanExpireAreDroppedUnsent) {
  NotificationRequest old = request(1);
  old.timestamp = kEventTime - 4000;
  submit(old);
  EXPECT_EQ(run().dropped, 1u);
  EXPECT_TRUE(sent.empty());
}

TEST_F(DispatcherTest, ChannelNotEnabledIsAnError) {
  NotificationRequest r = request(1);
  r.channel = ChannelKind::Sms;
  r.address = "+15551234567";
  submit(r);
  run();
  EXPECT_TRUE(sent.empty());
  EXPECT_TRUE(logger.contains(LogLevel::Error, "channel SMS is not enabled"));
  EXPECT_EQ(files_in("active"), 0u);
}

TEST_F(DispatcherTest, InvalidDestinationIsAnError) {
  NotificationRequest r = request(1);
  r.address = "nowhere";
  submit(r);
  run();
  EXPECT_TRUE(logger.contains(LogLevel::Error, "invalid UDP address"));
  EXPECT_EQ(logger.count_events("lnotify_notification_failed", "invalid_address"), 1u);
}

TEST_F(DispatcherTest, UnreadableRecordIsQuarantined) {
  std::ofstream(dir.path() + "/incoming/0000000000000001-1-0-0") << "garbage\n";
  run();
  EXPECT_TRUE(fs::exists(dir.path() + "/corrupt/0000000000000001-1-0-0"));
  EXPECT_TRUE(logger.contains(LogLevel::Error, "moved to corrupt/"));
}

TEST_F(DispatcherTest, ClaimedRecordsAreTakenUpAgainAfterARestart) {
  for (uint32_t uid = 1; uid <= 3; ++uid) submit(request(uid));
  dispatcher->claim();  // moved to active/, then the process dies
  EXPECT_EQ(files_in("active"), 3u);
  restart();
  EXPECT_TRUE(logger.contains(LogLevel::Info, "resumed 3 notification(s) left in active/"));
  run();
  EXPECT_EQ(uids(sent), (std::vector<uint32_t>{1, 2, 3}));
}

TEST_F(DispatcherTest, RetriedNotificationKeepsItsSequenceIdAcrossARestart) {
  submit(request(1));
  fake->fail_with = temporary_error("gateway down");
  run();
  restart();  // fake is new and works
  submit(request(2));
  run();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(parse(sent[0]).uid, 1u);
  EXPECT_EQ(parse(sent[0]).sequence_id, 1u);
  EXPECT_EQ(parse(sent[1]).sequence_id, 2u);
}

// ---- the ledger (draft §10) ----

TEST_F(DispatcherTest, UnansweredNotificationsTurnIntoPeriodicWakeups) {
  policy.unanswered_limit = 3;
  policy.wakeup_interval_secs = 3600;
  policy.expire_secs = 86400;
  restart();
  for (uint32_t uid = 1; uid <= 6; ++uid) submit(request(uid));
  auto stats = run();
  EXPECT_EQ(stats.sent, 4u);
  ASSERT_EQ(sent.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(parse(sent[i]).wakeup) << i;
  EXPECT_TRUE(parse(sent[3]).wakeup) << "the 4th is the first periodic wake-up";
  EXPECT_EQ(files_in("active"), 0u) << "the wake-up also stands for 5 and 6, queued before it";
  EXPECT_TRUE(logger.contains(LogLevel::Info, "for 3 notifications"));
  EXPECT_EQ(dispatcher->ledger().find("alice@example.test")->unanswered, 4u);

  submit(request(8));
  submit(request(9));
  run();
  EXPECT_EQ(sent.size(), 4u) << "within the wake-up interval: held";
  EXPECT_EQ(files_in("active"), 1u) << "8 and 9 merged into one held wake-up";
  EXPECT_TRUE(logger.contains(LogLevel::Info, "unanswered_limit = 3): next periodic wake-up at"));
  EXPECT_EQ(logger.count_events("lnotify_notification_held", "quiet"), 1u);

  submit(request(10));  // arrives during the quiet hour
  clock.advance_secs(3599);
  EXPECT_EQ(run().sent, 0u);
  clock.advance_secs(1);
  EXPECT_EQ(run().sent, 1u);
  ASSERT_EQ(sent.size(), 5u);
  EXPECT_TRUE(parse(sent[4]).wakeup);
  EXPECT_EQ(files_in("active"), 0u) << "the wake-up stood for 8, 9 and 10";
  EXPECT_EQ(parse(sent[4]).sequence_id, 0u) << "an EMN carries no sequence-id";
  EXPECT_EQ(dispatcher->sequences().last(SequenceStore::device_key(request(0))), 5u);
}

TEST_F(DispatcherTest, AReactionAnswersTheLedgerAndCancelsThePendingWakeup) {
  policy.unanswered_limit = 2;
  restart();
  for (uint32_t uid = 1; uid <= 3; ++uid) submit(request(uid));
  run();
  ASSERT_EQ(sent.size(), 3u);  // 2 + the first wake-up
  submit(request(4));
  run();
  ASSERT_EQ(sent.size(), 3u);  // held for the next wake-up
  react();
  run();
  EXPECT_EQ(files_in("active"), 0u);
  EXPECT_TRUE(logger.contains(
      LogLevel::Info, "client of alice@example.test reacted (login): 3 unanswered notification(s) "
                      "answered; the pending wake-up (for 1 notification(s)) is cancelled"));
  EXPECT_EQ(dispatcher->ledger().find("alice@example.test"), nullptr);
  submit(request(5));
  run();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_FALSE(parse(sent[3]).wakeup) << "answered: full notifications again";
  EXPECT_EQ(parse(sent[3]).uid, 5u);
}

TEST_F(DispatcherTest, AnUnansweredNotificationIsRemindedUpToTheLimit) {
  policy.reminder_interval_secs = 60;
  policy.reminder_limit = 2;
  restart();
  submit(request(1));
  run();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_FALSE(parse(sent[0]).wakeup);
  EXPECT_EQ(dispatcher->next_due_ms(), std::optional<int64_t>(clock.now + 60000));
  clock.advance_secs(59);
  run();
  EXPECT_EQ(sent.size(), 1u) << "not before reminder_interval";
  clock.advance_secs(1);
  run();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_TRUE(parse(sent[1]).wakeup) << "a reminder is a wake-up";
  EXPECT_TRUE(logger.contains(LogLevel::Info, "reminder 1 of 2 for alice@example.test queued"));
  EXPECT_TRUE(logger.contains(LogLevel::Info, "; reminder 1 of 2"));
  clock.advance_secs(60);
  run();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_TRUE(parse(sent[2]).wakeup);
  clock.advance_secs(3600);
  run();
  EXPECT_EQ(sent.size(), 3u) << "reminder_limit = 2";
  EXPECT_FALSE(dispatcher->next_due_ms().has_value());
  EXPECT_EQ(dispatcher->ledger().find("alice@example.test")->unanswered, 3u);
  EXPECT_EQ(dispatcher->sequences().last(SequenceStore::device_key(request(0))), 3u)
      << "each reminder takes the device's next sequence-id";
}

TEST_F(DispatcherTest, AReactionStopsTheReminders) {
  policy.reminder_interval_secs = 60;
  policy.reminder_limit = 5;
  restart();
  submit(request(1));
  run();
  clock.advance_secs(60);
  run();
  ASSERT_EQ(sent.size(), 2u);
  react();
  run();
  EXPECT_TRUE(logger.contains(LogLevel::Info, "; reminders stop"));
  clock.advance_secs(600);
  run();
  EXPECT_EQ(sent.size(), 2u);
  EXPECT_FALSE(dispatcher->next_due_ms().has_value());
}

TEST_F(DispatcherTest, ANewNotificationStartsTheReminderIntervalAgain) {
  policy.reminder_interval_secs = 60;
  policy.reminder_limit = 1;
  restart();
  submit(request(1));
  run();
  clock.advance_secs(30);
  submit(request(2));
  run();
  ASSERT_EQ(sent.size(), 2u);
  clock.advance_secs(30);
  run();
  EXPECT_EQ(sent.size(), 2u) << "the reminder counts from the latest notification";
  clock.advance_secs(30);
  run();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_TRUE(parse(sent[2]).wakeup);
}

TEST_F(DispatcherTest, RemindersWaitBehindQueuedNotificationsAndStopWhenQuiet) {
  policy.reminder_interval_secs = 60;
  policy.reminder_limit = 10;
  policy.unanswered_limit = 2;
  policy.wakeup_interval_secs = 3600;
  restart();
  submit(request(1));
  run();
  clock.advance_secs(60);
  run();
  ASSERT_EQ(sent.size(), 2u);  // the notification and one reminder: quiet now
  EXPECT_TRUE(parse(sent[1]).wakeup);
  clock.advance_secs(600);
  run();
  EXPECT_EQ(sent.size(), 2u) << "past unanswered_limit only the periodic wake-ups go";
}

TEST_F(DispatcherTest, WhatWasQueuedBeforeAReactionIsNotCountedUnanswered) {
  // A client's own Login (sent with presence ignored) is queued before the
  // reaction its login writes, and often sent after it.
  submit(request(1));
  react();
  run();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(dispatcher->ledger().find("alice@example.test"), nullptr);
  submit(request(2));
  run();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(dispatcher->ledger().find("alice@example.test")->unanswered, 1u);
}

TEST_F(DispatcherTest, AReactionIsKeptThoughNoPassFollows) {
  policy.unanswered_limit = 2;
  restart();
  submit(request(1));
  submit(request(2));
  run();
  ASSERT_TRUE(dispatcher->ledger().quiet("alice@example.test"));
  react();
  dispatcher.reset();
  // A process that takes the reaction (its record is then gone) and dies
  // before any pass, without running a destructor, as kill -9 would.
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    restart();
    dispatcher->claim();
    _exit(files_in("active") == 0 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  restart();
  EXPECT_FALSE(dispatcher->ledger().quiet("alice@example.test"));
}

TEST_F(DispatcherTest, AHeldNotificationIsDroppedAtItsExpiry) {
  policy.unanswered_limit = 1;
  policy.wakeup_interval_secs = 7200;
  policy.expire_secs = 3600;
  restart();
  submit(request(1));
  submit(request(2));  // goes at once as the first wake-up
  run();
  submit(request(3));  // held for the next wake-up, in two hours
  run();
  ASSERT_EQ(sent.size(), 2u);
  ASSERT_TRUE(dispatcher->next_due_ms().has_value());
  EXPECT_EQ(*dispatcher->next_due_ms(), (kEventTime + 3600) * 1000) << "its expiry, not the hold's end";
  clock.now = *dispatcher->next_due_ms();
  EXPECT_EQ(run().dropped, 1u);
  EXPECT_EQ(logger.count_events("lnotify_notification_dropped", "expired"), 1u);
}

TEST_F(DispatcherTest, TheLedgerSurvivesARestart) {
  policy.unanswered_limit = 2;
  restart();
  submit(request(1));
  submit(request(2));
  run();
  restart();
  EXPECT_EQ(dispatcher->ledger().find("alice@example.test")->unanswered, 2u);
  EXPECT_TRUE(dispatcher->ledger().quiet("alice@example.test"));
  submit(request(3));
  run();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_TRUE(parse(sent[2]).wakeup);
}

// ---- limits ----

TEST_F(DispatcherTest, TheClientsDailyTotalHolds) {
  for (uint32_t uid = 1; uid <= 4; ++uid) {
    NotificationRequest r = request(uid);
    r.daily_limit = 2;
    submit(r);
  }
  auto stats = run();
  EXPECT_EQ(stats.sent, 2u);
  EXPECT_EQ(stats.dropped, 2u);
  EXPECT_TRUE(logger.contains(LogLevel::Info, "the client's limit total=2 per day is reached "
                                              "(2 sent today, UTC)"));
  EXPECT_EQ(logger.count_events("lnotify_notification_dropped", "daily_limit"), 2u);

  restart();  // the count is part of the state
  NotificationRequest r = request(5);
  r.daily_limit = 2;
  r.timestamp = clock.now / 1000;
  submit(r);
  run();
  EXPECT_EQ(sent.size(), 2u);

  clock.advance_secs(86400);  // the next UTC day
  r.uid = 6;
  r.timestamp = clock.now / 1000;
  submit(r);
  run();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(parse(sent[2]).uid, 6u);
}

TEST_F(DispatcherTest, TheRateCapMergesABurstIntoOneWakeup) {
  policy.rate_limit = RateLimit{3, 60};
  policy.coalesce = true;
  restart();
  for (uint32_t uid = 1; uid <= 10; ++uid) submit(request(uid));
  run();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(files_in("active"), 1u) << "4 to 10 merged";
  EXPECT_TRUE(logger.contains(LogLevel::Info, "rate_limit = 3/60 reached: next at"));
  EXPECT_TRUE(logger.contains(LogLevel::Info, "one wake-up for 7 notifications"));
  EXPECT_EQ(logger.count_events("lnotify_notification_merged"), 6u);
  clock.advance_secs(59.9);
  run();
  EXPECT_EQ(sent.size(), 3u);
  clock.advance_secs(0.1);
  run();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_TRUE(parse(sent[3]).wakeup);
  EXPECT_TRUE(logger.contains(LogLevel::Info, "for 7 notifications"));
}

TEST_F(DispatcherTest, ABurstArrivingWhileHeldJoinsTheWakeup) {
  policy.rate_limit = RateLimit{2, 60};
  policy.coalesce = true;
  restart();
  for (uint32_t uid = 1; uid <= 3; ++uid) submit(request(uid));
  run();
  ASSERT_EQ(sent.size(), 2u);  // 3 held alone
  for (uint32_t uid = 4; uid <= 6; ++uid) submit(request(uid));
  clock.advance_secs(60);
  run();
  ASSERT_EQ(sent.size(), 3u) << "3 to 6 go as one";
  EXPECT_TRUE(parse(sent[2]).wakeup);
  EXPECT_EQ(files_in("active"), 0u);
}

TEST_F(DispatcherTest, TheRateCapWithoutCoalescingPacesInOrder) {
  policy.rate_limit = RateLimit{2, 10};
  policy.coalesce = false;
  restart();
  for (uint32_t uid = 1; uid <= 5; ++uid) submit(request(uid));
  std::vector<size_t> sent_by_then;
  for (int step = 0; step < 3; ++step) {
    run();
    sent_by_then.push_back(sent.size());
    clock.advance_secs(10);
  }
  EXPECT_EQ(sent_by_then, (std::vector<size_t>{2, 4, 5}));
  EXPECT_EQ(uids(sent), (std::vector<uint32_t>{1, 2, 3, 4, 5}));
  for (const auto& d : sent) EXPECT_FALSE(parse(d).wakeup);
}

TEST_F(DispatcherTest, ATestNotificationPassesTheLedgerAndTheLimits) {
  policy.unanswered_limit = 1;
  policy.rate_limit = RateLimit{1, 3600};
  restart();
  submit(request(1));
  run();
  NotificationRequest test = request(0);
  test.test = true;
  test.daily_limit = 1;
  submit(test);
  run();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_FALSE(parse(sent[1]).wakeup);
  EXPECT_EQ(parse(sent[1]).sequence_id, 2u);
  EXPECT_TRUE(logger.contains(LogLevel::Info, "user=alice mailbox=INBOX test notification seq=2"));
  EXPECT_EQ(dispatcher->ledger().find("alice@example.test")->unanswered, 1u)
      << "a test is not a notification the client must answer";
}

// ---- scheduling ----

TEST_F(DispatcherTest, NextDueIsTheEarliestRetryAndNothingIsDoneBefore) {
  fake->fail_with = temporary_error("down");
  submit(request(1, "alice@example.test"));
  run();
  clock.advance_secs(5);
  submit(request(2, "bob@example.test"));
  run();
  const int64_t alice_due = (kEventTime + 1) * 1000 + 22500;
  ASSERT_TRUE(dispatcher->next_due_ms().has_value());
  EXPECT_EQ(*dispatcher->next_due_ms(), alice_due);
  const size_t attempts = fake->attempts;
  EXPECT_EQ(dispatcher->run_due().retried, 0u);
  EXPECT_EQ(fake->attempts, attempts);
}

TEST_F(DispatcherTest, ABacklogIsClaimedInBatches) {
  for (uint32_t i = 0; i < Dispatcher::kClaimBatch + 5; ++i) submit(request(i));
  EXPECT_TRUE(dispatcher->claim()) << "more may be waiting";
  EXPECT_EQ(dispatcher->queued(), Dispatcher::kClaimBatch);
  EXPECT_FALSE(dispatcher->claim());
  EXPECT_EQ(dispatcher->queued(), Dispatcher::kClaimBatch + 5);
  EXPECT_EQ(files_in("incoming"), 0u);
}

TEST_F(DispatcherTest, APassIsBoundedAndTheRestFollows) {
  for (int i = 0; i < 300; ++i) submit(request(1, "user" + std::to_string(i) + "@example.test"));
  dispatcher->claim();
  EXPECT_EQ(dispatcher->run_due().sent, Dispatcher::kPassBudget);
  ASSERT_TRUE(dispatcher->next_due_ms().has_value());
  EXPECT_LE(*dispatcher->next_due_ms(), clock.now) << "the rest is due at once";
  EXPECT_EQ(dispatcher->run_due().sent, 300 - Dispatcher::kPassBudget);
}

// ---- operations ----

TEST_F(DispatcherTest, ListFlushAndDelete) {
  fake->fail_with = temporary_error("down");
  const std::string a1 = submit(request(1, "alice@example.test"));
  const std::string a2 = submit(request(2, "alice@example.test"));
  const std::string b1 = submit(request(3, "bob@example.test"));
  run();
  auto rows = dispatcher->list("", 100);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].id, a1);
  EXPECT_EQ(rows[0].account, "alice@example.test");
  EXPECT_EQ(rows[0].state, "retry");
  EXPECT_EQ(rows[0].attempts, 1u);
  EXPECT_EQ(rows[0].sequence_id, 1u);
  EXPECT_EQ(rows[0].last_error, "down");
  EXPECT_EQ(rows[0].channel, "UDP");
  EXPECT_EQ(rows[0].uid, 1u);
  EXPECT_EQ(rows[1].state, "queued");
  EXPECT_EQ(dispatcher->list("alice", 100).size(), 2u) << "a name without domain matches";
  EXPECT_EQ(dispatcher->list("bob@example.test", 100).size(), 1u);
  EXPECT_EQ(dispatcher->list("", 1).size(), 1u);

  fake->fail_with.reset();
  EXPECT_EQ(dispatcher->flush("bob", {}), 1u);
  run();
  EXPECT_EQ(uids(sent), (std::vector<uint32_t>{3})) << "flushed before its backoff ended";

  EXPECT_EQ(dispatcher->remove("", {a1}), 1u);
  EXPECT_FALSE(fs::exists(dir.path() + "/active/" + a1));
  EXPECT_TRUE(logger.contains(LogLevel::Info, "deleted by an administrator"));
  run();
  EXPECT_EQ(uids(sent), (std::vector<uint32_t>{3, 2}));
  EXPECT_EQ(dispatcher->queued(), 0u);
}

// ---- crashes (kill -9 at any point of a send) ----

// The child process sends through a transport that dies (_exit, as kill -9
// would) before or after the k-th datagram leaves; the parent restarts the
// dispatcher and finishes. Every notification must arrive, sequence-ids
// without gaps, a duplicate only with the id it had.
class CrashTest : public DispatcherTest, public ::testing::WithParamInterface<std::tuple<int, bool>> {};

TEST_P(CrashTest, EveryNotificationArrivesWithoutGaps) {
  // plain variables, not a structured binding: clang 14 cannot capture
  // those in the lambdas below
  const int crash_at = std::get<0>(GetParam());
  const bool after_send = std::get<1>(GetParam());
  constexpr uint32_t kCount = 8;
  for (uint32_t uid = 1; uid <= kCount; ++uid) submit(request(uid));
  const std::string delivered = dir.path() + "/delivered";

  dispatcher.reset();
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    restart();
    int sends = 0;
    auto record = [&](const std::string&, uint16_t, std::string_view bytes) {
      std::ofstream(delivered, std::ios::app) << parse({"", 0, std::string(bytes)}).uid << ' '
                                              << parse({"", 0, std::string(bytes)}).sequence_id
                                              << '\n';
    };
    fake->before_send = [&](const std::string& h, uint16_t p, std::string_view b) {
      if (++sends == crash_at && !after_send) _exit(0);
      (void)h, (void)p, (void)b;
    };
    fake->after_send = [&](const std::string& h, uint16_t p, std::string_view b) {
      record(h, p, b);
      if (sends == crash_at && after_send) _exit(0);
    };
    run();
    _exit(1);  // never reached: it crashes first
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child did not crash as planned";

  restart();
  fake->after_send = [&](const std::string&, uint16_t, std::string_view bytes) {
    std::ofstream(delivered, std::ios::app) << parse({"", 0, std::string(bytes)}).uid << ' '
                                            << parse({"", 0, std::string(bytes)}).sequence_id
                                            << '\n';
  };
  run();

  std::map<uint32_t, std::set<uint64_t>> ids_of_uid;
  std::set<uint64_t> ids;
  std::ifstream in(delivered);
  uint32_t uid;
  uint64_t id;
  size_t lines = 0;
  while (in >> uid >> id) {
    ids_of_uid[uid].insert(id);
    ids.insert(id);
    ++lines;
  }
  ASSERT_EQ(ids_of_uid.size(), kCount) << "every notification arrived";
  for (const auto& [u, its_ids] : ids_of_uid)
    EXPECT_EQ(its_ids.size(), 1u) << "uid " << u << " went out with one sequence-id";
  EXPECT_EQ(*ids.begin(), 1u);
  EXPECT_EQ(*ids.rbegin(), kCount) << "no id skipped";
  EXPECT_LE(lines, kCount + 1) << "at most the one in flight twice";
  EXPECT_EQ(files_in("active"), 0u);
}

INSTANTIATE_TEST_SUITE_P(AtEverySend, CrashTest,
                         ::testing::Combine(::testing::Values(1, 2, 5, 8),
                                            ::testing::Bool()));

}  // namespace
}  // namespace lnotify

// Delta Chat push: the token rules, the DELTACHAT driver through an
// injected HTTP transport (the exact request, each answer's outcome), and
// the dispatcher with it (a queue per device, one wake-up per burst, 410
// forgets, 500 retried, given up after 5 hours).
#include <poll.h>

#include <deque>
#include <future>
#include <map>
#include <mutex>

#include <gtest/gtest.h>

#include "channels/deltachat/deltachat_channel.h"
#include "fakes.h"
#include "lnotify/metadata/deltachat.h"
#include "lnotify/dispatcher/dispatcher.h"
#include "lnotify/spool/provision.h"
#include "lnotify/spool/webpush_status.h"
#include "channels/deltachat/deltachat_driver.h"
#include "service/dispatcher_config.h"
#include "temp_dir.h"

namespace lnotify {
namespace {

using deltachat::NotifierAnswer;
using deltachat::NotifierPost;
using testing::FakeClock;
using testing::FixedRandom;
using testing::RecordingLogger;

constexpr int64_t kEventTime = 1700000000;
const std::string kPhone = "openpgp:wcBMA0Gx1phone+padding==";
const std::string kTablet = "openpgp:wcBMA0Gx1tablet+padding==";

// The notifier's side: answers per token from a script (then 200), or
// fails to connect; records every request.
class ScriptedNotifier : public deltachat::NotifierHttp {
 public:
  Result<NotifierAnswer> post(const NotifierPost& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    posts.push_back(request);
    if (unreachable) return temporary_error("connection refused");
    NotifierAnswer response;
    response.status = 200;
    auto& queue = script[request.body];
    if (!queue.empty()) {
      response.status = queue.front();
      queue.pop_front();
    }
    return response;
  }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& p : posts) out.push_back(p.body);
    return out;
  }
  std::mutex mutex_;
  std::map<std::string, std::deque<long>> script;
  std::vector<NotifierPost> posts;
  bool unreachable = false;
};

DeltaChatConfig config() {
  DeltaChatConfig c;
  c.notifier_url = "http://127.0.0.1:8383/notify";
  c.timeout_secs = 7;
  c.workers = 1;
  return c;
}

Result<void> deliver(deltachat::DeltaChatChannel& channel, const std::string& token) {
  NotificationRequest r;
  r.channel = ChannelKind::DeltaChat;
  r.address = token;
  Payload payload;
  payload.content_type = "application/octet-stream";
  payload.bytes = token;
  std::promise<Result<void>> outcome;
  channel.deliver(Delivery{r, payload},
                  [&](Result<void> result) { outcome.set_value(std::move(result)); });
  return outcome.get_future().get();
}

TEST(DeltaChatToken, PrintableAsciiUpTo4096Bytes) {
  EXPECT_TRUE(deltachat::validate_token(kPhone));
  EXPECT_TRUE(deltachat::validate_token(std::string(4096, 'x')));
  EXPECT_TRUE(deltachat::validate_token("padded token   "));
  auto empty = deltachat::validate_token("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "the device token is empty");
  auto long_one = deltachat::validate_token(std::string(4097, 'x'));
  ASSERT_FALSE(long_one);
  EXPECT_EQ(long_one.error().message, "the device token is 4097 bytes, at most 4096 are accepted");
  auto control = deltachat::validate_token("openpgp:\nabc");
  ASSERT_FALSE(control);
  EXPECT_EQ(control.error().message,
            "the device token has a byte that is not printable ASCII (0x0a at offset 8)");
  EXPECT_FALSE(deltachat::validate_token("caf\xc3\xa9"));
  EXPECT_FALSE(deltachat::validate_token(std::string("a\0b", 3)));
}

TEST(DeltaChatToken, ShortNameIsFnv1a64) {
  // FNV-1a 64 reference values (draft-eastlake-fnv)
  EXPECT_EQ(deltachat::token_id(""), "cbf29ce484222325");
  EXPECT_EQ(deltachat::token_id("a"), "af63dc4c8601ec8c");
  EXPECT_EQ(deltachat::token_id("foobar"), "85944171f73967e8");
  EXPECT_EQ(deltachat::token_label("a"), "deltachat:af63dc4c8601ec8c");
  EXPECT_NE(deltachat::token_id(kPhone), deltachat::token_id(kTablet));
}

TEST(DeltaChatToken, QueueKeyNamesTheAccount) {
  const std::string key = deltachat::queue_key(kPhone, "alice@example.test");
  EXPECT_EQ(key, deltachat::token_label(kPhone) + ":alice@example.test");
  EXPECT_EQ(deltachat::queue_key_account(key), "alice@example.test");
  EXPECT_EQ(deltachat::queue_key_account("alice@example.test"), "");
  EXPECT_EQ(deltachat::queue_key_account("s2s:crm:alice@example.test"), "");
  EXPECT_EQ(deltachat::queue_key_account("deltachat:short:alice"), "");
}

TEST(DeltaChatToken, NotifierUrl) {
  EXPECT_TRUE(deltachat::check_notifier_url(deltachat::kDefaultNotifierUrl));
  EXPECT_TRUE(deltachat::check_notifier_url("https://push.example.org:8443/notify"));
  EXPECT_TRUE(deltachat::check_notifier_url("http://127.0.0.1:9000/notify"));
  EXPECT_TRUE(deltachat::check_notifier_url("http://[::1]:9000/notify"));
  EXPECT_TRUE(deltachat::check_notifier_url("http://localhost/notify"));
  auto plain = deltachat::check_notifier_url("http://push.example.org/notify");
  ASSERT_FALSE(plain);
  EXPECT_NE(plain.error().message.find("plain http:// only to a loopback host"), std::string::npos);
  EXPECT_FALSE(deltachat::check_notifier_url("ftp://push.example.org/notify"));
  EXPECT_FALSE(deltachat::check_notifier_url(""));
}

TEST(DeltaChatToken, NotAChannelUsersChoose) {
  auto chosen = parse_channel_preference("DELTACHAT=WAKEUP");
  ASSERT_FALSE(chosen);
  EXPECT_NE(chosen.error().message.find("/private/devicetoken on INBOX"), std::string::npos);
  EXPECT_EQ(channel_name(ChannelKind::DeltaChat), "DELTACHAT");
  EXPECT_EQ(channel_from_name("deltachat"), ChannelKind::DeltaChat);
}

TEST(DeltaChatConfig, Settings) {
  auto c = parse_dispatcher_config(
      "channels = UDP DELTACHAT\n"
      "deltachat_notifier_url = https://push.example.org/notify\n"
      "deltachat_timeout = 20\n"
      "deltachat_maxsmtprecipients = 50\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->channels, (std::vector<ChannelKind>{ChannelKind::Udp, ChannelKind::DeltaChat}));
  EXPECT_EQ(c->driver_as<deltachat::DeltaChatDriver>(ChannelKind::DeltaChat)->settings().notifier_url, "https://push.example.org/notify");
  EXPECT_EQ(c->driver_as<deltachat::DeltaChatDriver>(ChannelKind::DeltaChat)->settings().timeout_secs, 20u);
  EXPECT_EQ(c->driver_as<deltachat::DeltaChatDriver>(ChannelKind::DeltaChat)->settings().max_smtp_recipients, "50");
  auto defaults = parse_dispatcher_config("channels = DELTACHAT\n");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->driver_as<deltachat::DeltaChatDriver>(ChannelKind::DeltaChat)->settings().notifier_url, "https://notifications.delta.chat/notify");
  EXPECT_EQ(defaults->driver_as<deltachat::DeltaChatDriver>(ChannelKind::DeltaChat)->settings().max_smtp_recipients, "");

  auto plain = parse_dispatcher_config("deltachat_notifier_url = http://push.example.org/\n");
  ASSERT_FALSE(plain);
  EXPECT_NE(plain.error().message.find("line 1: deltachat_notifier_url: plain http://"),
            std::string::npos);
  auto typo = parse_dispatcher_config("deltachat_notifer_url = https://a.example/\n");
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message.find("unknown setting \"deltachat_notifer_url\""),
            std::string::npos);
  EXPECT_FALSE(parse_dispatcher_config("deltachat_maxsmtprecipients = many\n"));
  EXPECT_FALSE(parse_dispatcher_config("deltachat_timeout = 0\n"));
}

TEST(DeltaChatConfig, ProvisionRoundTrip) {
  Provision p;
  p.channels = "NONE UDP=WAKEUP UDP=EXTENDED";
  p.deltachat = "yes";
  p.deltachat_max_smtp_recipients = "50";
  auto back = decode_provision(encode_provision(p));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->deltachat, "yes");
  EXPECT_EQ(back->deltachat_max_smtp_recipients, "50");
}

TEST(DeltaChatChannel, PostsTheRawTokenToTheNotifier) {
  auto owned = std::make_unique<ScriptedNotifier>();
  ScriptedNotifier* notifier = owned.get();
  deltachat::DeltaChatChannel channel(config(), std::move(owned));
  ASSERT_TRUE(deliver(channel, kPhone));
  ASSERT_EQ(notifier->posts.size(), 1u);
  const NotifierPost& post = notifier->posts[0];
  EXPECT_EQ(post.url, "http://127.0.0.1:8383/notify");
  EXPECT_EQ(post.body, kPhone);
  EXPECT_EQ(post.timeout_secs, 7u);
  EXPECT_EQ(post.headers, (std::vector<std::pair<std::string, std::string>>{
                              {"Content-Type", "application/octet-stream"}}));
}

TEST(DeltaChatChannel, EachAnswersOutcome) {
  auto owned = std::make_unique<ScriptedNotifier>();
  ScriptedNotifier* notifier = owned.get();
  notifier->script[kPhone] = {410, 500, 429, 302, 204};
  deltachat::DeltaChatChannel channel(config(), std::move(owned));

  auto gone = deliver(channel, kPhone);
  ASSERT_FALSE(gone);
  EXPECT_FALSE(gone.error().temporary());
  EXPECT_EQ(gone.error().gone, 410);
  EXPECT_EQ(gone.error().message,
            "the Delta Chat notifier answered HTTP 410 (the device token is no longer valid)");
  for (long status : {500L, 429L, 302L}) {
    auto failed = deliver(channel, kPhone);
    ASSERT_FALSE(failed) << status;
    EXPECT_TRUE(failed.error().temporary()) << status;
    EXPECT_EQ(failed.error().gone, 0);
    EXPECT_NE(failed.error().message.find("answered HTTP " + std::to_string(status)),
              std::string::npos);
  }
  EXPECT_TRUE(deliver(channel, kPhone)) << "any 2xx is done";

  notifier->unreachable = true;
  auto unreachable = deliver(channel, kPhone);
  ASSERT_FALSE(unreachable);
  EXPECT_TRUE(unreachable.error().temporary());
  EXPECT_EQ(unreachable.error().message,
            "the Delta Chat notifier was not reached: connection refused");
}

TEST(DeltaChatChannel, RetryAfterIsBounded) {
  NotifierAnswer busy;
  busy.status = 503;
  busy.retry_after_secs = 86400;
  auto outcome = deltachat::classify_notifier_response(busy);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().retry_after_ms, 3600 * 1000);
}

TEST(DeltaChatChannel, ABadTokenIsNeverPosted) {
  auto owned = std::make_unique<ScriptedNotifier>();
  ScriptedNotifier* notifier = owned.get();
  deltachat::DeltaChatChannel channel(config(), std::move(owned));
  EXPECT_FALSE(channel.validate_destination("bad\ttoken"));
  auto refused = deliver(channel, "bad\ttoken");
  ASSERT_FALSE(refused);
  EXPECT_FALSE(refused.error().temporary());
  EXPECT_TRUE(notifier->posts.empty());
}

class DeltaChatDispatch : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(spool.prepare().has_value());
    policy.unanswered_limit = 0;
    policy.rate_limit = RateLimit{};
    policy.retry_base_secs = 30;
    policy.retry_max_secs = 3600;
    policy.expire_secs = 86400;
    DispatcherOptions options;
    options.policy = policy;
    options.state_dir = state.path();
    options.clock = &clock;
    options.random = std::make_unique<FixedRandom>(0.5);
    dispatcher = std::make_unique<Dispatcher>(Spool(dir.path()), logger, std::move(options));
    auto owned = std::make_unique<ScriptedNotifier>();
    notifier = owned.get();
    dispatcher->add_channel(
        std::make_unique<deltachat::DeltaChatChannel>(config(), std::move(owned)));
    ASSERT_TRUE(dispatcher->start());
  }

  NotificationRequest wakeup(const std::string& token, uint32_t uid) {
    NotificationRequest r;
    r.user = "alice";
    r.account = "alice@example.test";
    r.mailbox = "INBOX";
    r.event = "MessageNew";
    r.uid = uid;
    r.timestamp = kEventTime;
    r.channel = ChannelKind::DeltaChat;
    r.format = PayloadFormat::Wakeup;
    r.address = token;
    return r;
  }
  void submit(const NotificationRequest& r) { ASSERT_TRUE(spool.submit(r, false)); }

  // Claims and sends until nothing is due now, waiting for the driver's
  // worker to answer each send.
  void settle() {
    for (int i = 0; i < 1000; ++i) {
      while (dispatcher->claim()) {
      }
      auto due = dispatcher->next_due_ms();
      if (due && *due <= clock.now) dispatcher->run_due();
      if (dispatcher->in_flight() > 0) {
        pollfd p{dispatcher->completion_fd(), POLLIN, 0};
        (void)poll(&p, 1, 5000);
        dispatcher->collect();
        continue;
      }
      due = dispatcher->next_due_ms();
      if (!due || *due > clock.now) return;
    }
  }
  bool logged(std::string_view text) const {
    for (const auto& [level, line] : logger.lines)
      if (line.find(text) != std::string::npos) return true;
    return false;
  }

  testing::TempDir dir;
  testing::TempDir state;
  Spool spool{dir.path()};
  RecordingLogger logger;
  FakeClock clock{(kEventTime + 1) * 1000};
  DispatchPolicy policy;
  ScriptedNotifier* notifier = nullptr;
  std::unique_ptr<Dispatcher> dispatcher;
};

TEST_F(DeltaChatDispatch, EachDeviceGetsItsToken) {
  submit(wakeup(kPhone, 1));
  submit(wakeup(kTablet, 1));
  settle();
  EXPECT_EQ(notifier->bodies(), (std::vector<std::string>{kPhone, kTablet}));
  EXPECT_EQ(logger.count_events("lnotify_notification_sent"), 2u);
  EXPECT_TRUE(logged("over DELTACHAT to " + deltachat::token_label(kPhone)));
  for (const auto& [level, line] : logger.lines)
    EXPECT_EQ(line.find(kPhone), std::string::npos) << "the token is never logged: " << line;
  EXPECT_EQ(dispatcher->queued(), 0u);
}

TEST_F(DeltaChatDispatch, ABurstIsOneWakeupPerDevice) {
  for (uint32_t uid = 1; uid <= 5; ++uid) {
    submit(wakeup(kPhone, uid));
    submit(wakeup(kTablet, uid));
  }
  settle();
  EXPECT_EQ(notifier->bodies(), (std::vector<std::string>{kPhone, kTablet}));
  EXPECT_EQ(logger.count_events("lnotify_notification_merged", "coalesced"), 8u);
  EXPECT_TRUE(logged("for 5 notifications"));
  EXPECT_EQ(dispatcher->queued(), 0u);
}

TEST_F(DeltaChatDispatch, ADeviceInRetryHoldsBackNoOther) {
  notifier->script[kPhone] = {500};
  submit(wakeup(kPhone, 1));
  submit(wakeup(kTablet, 1));
  settle();
  EXPECT_EQ(notifier->bodies(), (std::vector<std::string>{kPhone, kTablet}));
  EXPECT_EQ(logger.count_events("lnotify_notification_retried", "temporary_failure"), 1u);
  auto rows = dispatcher->list("alice", 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].account, "alice@example.test");
  EXPECT_EQ(rows[0].state, "retry");
  EXPECT_EQ(rows[0].attempts, 1u);
  EXPECT_EQ(rows[0].address, deltachat::token_label(kPhone));
  EXPECT_NE(rows[0].last_error.find("answered HTTP 500"), std::string::npos);

  // the retry is the backoff away: 30 s with jitter 0.5 is 22.5 s
  clock.advance_secs(22);
  settle();
  EXPECT_EQ(notifier->bodies().size(), 2u);
  clock.advance_secs(1);
  settle();
  EXPECT_EQ(notifier->bodies(), (std::vector<std::string>{kPhone, kTablet, kPhone}));
  EXPECT_EQ(dispatcher->queued(), 0u);
}

TEST_F(DeltaChatDispatch, GoneTokenIsRecordedAndGetsNothingMore) {
  notifier->script[kPhone] = {410};
  submit(wakeup(kPhone, 1));
  settle();
  EXPECT_EQ(logger.count_events("lnotify_notification_failed", "token_gone"), 1u);
  auto gone = find_gone_endpoint(dir.path(), deltachat::gone_key("alice@example.test"),
                                 deltachat::token_label(kPhone));
  ASSERT_TRUE(gone.has_value());
  EXPECT_EQ(gone->code, 410);
  EXPECT_EQ(gone->since, kEventTime + 1);

  // queued before the client could know: dropped without a request
  submit(wakeup(kPhone, 2));
  submit(wakeup(kTablet, 2));
  settle();
  EXPECT_EQ(notifier->bodies(), (std::vector<std::string>{kPhone, kTablet}));
  EXPECT_EQ(logger.count_events("lnotify_notification_dropped", "token_gone"), 1u);

  // set again by the client after the 410 (a newer event): sent
  NotificationRequest later = wakeup(kPhone, 3);
  later.timestamp = kEventTime + 60;
  submit(later);
  settle();
  EXPECT_EQ(notifier->bodies(), (std::vector<std::string>{kPhone, kTablet, kPhone}));
}

TEST_F(DeltaChatDispatch, GivenUpAfterFiveHours) {
  notifier->unreachable = true;
  submit(wakeup(kPhone, 1));
  settle();
  auto rows = dispatcher->list("", 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].expires_ms, (kEventTime + 5 * 3600) * 1000);
  for (int i = 0; i < 100 && dispatcher->queued() > 0; ++i) {
    clock.advance_secs(3600);
    settle();
  }
  EXPECT_EQ(dispatcher->queued(), 0u);
  EXPECT_EQ(logger.count_events("lnotify_notification_dropped", "expired"), 1u);
  EXPECT_GT(notifier->bodies().size(), 3u);
}

}  // namespace
}  // namespace lnotify

// The Web Push driver through a fake HTTP transport: the exact request
// (headers, VAPID token verified with OpenSSL, body), the token cache, the
// allow-lists, and what each answer of the push service means; then the
// dispatcher with the driver: a gone subscription is recorded for the
// client and gets nothing more.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <poll.h>

#include <condition_variable>
#include <deque>
#include <mutex>

#include <gtest/gtest.h>

#include "channels/webpush/webpush_channel.h"
#include "channels/webpush/webpush_response.h"
#include "fakes.h"
#include "lnotify/core/base64url.h"
#include "lnotify/dispatcher/dispatcher.h"
#include "lnotify/payload/vapid.h"
#include "lnotify/spool/webpush_status.h"
#include "temp_dir.h"

namespace lnotify::webpush {
namespace {

using lnotify::testing::FakeClock;
using lnotify::testing::FixedRandom;
using lnotify::testing::RecordingLogger;

constexpr int64_t kNow = 1700000000;

struct PemKey {
  std::string private_pem;
  EVP_PKEY* pkey = nullptr;
  ~PemKey() { EVP_PKEY_free(pkey); }
};

// A fresh P-256 key pair, as `openssl ecparam -genkey` makes it.
std::unique_ptr<PemKey> make_p256_key() {
  auto key = std::make_unique<PemKey>();
  key->pkey = EVP_EC_gen("P-256");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key->pkey, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  key->private_pem.assign(data, static_cast<size_t>(len));
  BIO_free(bio);
  return key;
}

// Verifies an ES256 JWT with OpenSSL, independently of the signing code.
bool verify_jwt(const std::string& jwt, EVP_PKEY* pkey) {
  size_t dot = jwt.rfind('.');
  auto signature = base64url_decode(jwt.substr(dot + 1));
  if (!signature) return false;
  auto der = ecdsa_jose_to_der(*signature);
  if (!der) return false;
  const std::string input = jwt.substr(0, dot);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(der->data()), der->size(),
                             reinterpret_cast<const unsigned char*>(input.data()),
                             input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::string jwt_part(const std::string& jwt, int index) {
  size_t a = 0;
  for (int i = 0; i < index; ++i) a = jwt.find('.', a) + 1;
  size_t b = jwt.find('.', a);
  auto decoded = base64url_decode(jwt.substr(a, b == std::string::npos ? std::string::npos : b - a));
  return decoded ? *decoded : "";
}

std::string header(const HttpRequest& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return "<absent>";
}

class FakeHttp : public HttpTransport {
 public:
  Result<HttpResponse> post(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex);
    requests.push_back(request);
    if (answers.empty()) return HttpResponse{201, "", "", ""};
    auto answer = std::move(answers.front());
    answers.pop_front();
    return answer;
  }
  std::mutex mutex;
  std::vector<HttpRequest> requests;
  std::deque<Result<HttpResponse>> answers;
};

// Exposes the blocking send, so a test needs no worker thread.
class TestChannel : public WebPushChannel {
 public:
  using WebPushChannel::send_blocking;
  using WebPushChannel::WebPushChannel;
};

Delivery delivery(std::string address, std::string event = "MessageNew", bool encrypted = true) {
  Delivery d;
  d.request.user = "alice";
  d.request.account = "alice@example.test";
  d.request.mailbox = "INBOX";
  d.request.event = std::move(event);
  d.request.channel = ChannelKind::WebPush;
  d.request.address = std::move(address);
  if (encrypted) {
    d.payload.bytes = std::string("\x01\x02 encrypted record", 19);
    d.payload.content_encoding = "aes128gcm";
  } else {
    d.payload.bytes = "{\"mailbox\":\"mailat:alice@example.test\"}";
  }
  return d;
}

class WebPushChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto vapid = VapidKey::from_pem(key->private_pem);
    ASSERT_TRUE(vapid.has_value()) << vapid.error().message;
    public_key = vapid->public_key();
    WebPushSettings settings;
    settings.subject = "mailto:postmaster@example.test";
    settings.ttl_secs = 3600;
    settings.timeout_secs = 7;
    settings.http_hosts = {"localhost"};
    settings.workers = 1;
    auto policy = DestinationPolicy::parse("127.0.0.0/8 localhost push.example.net");
    auto transport = std::make_unique<FakeHttp>();
    http = transport.get();
    channel = std::make_unique<TestChannel>(std::move(transport), std::move(*vapid),
                                            std::move(settings), std::move(*policy), clock);
  }

  std::unique_ptr<PemKey> key = make_p256_key();
  std::string public_key;
  FakeClock clock{kNow * 1000};
  FakeHttp* http = nullptr;
  std::unique_ptr<TestChannel> channel;
};

TEST(Vapid, PublicKeyIsTheUncompressedPoint) {
  auto key = make_p256_key();
  auto vapid = VapidKey::from_pem(key->private_pem);
  ASSERT_TRUE(vapid.has_value()) << vapid.error().message;
  auto point = base64url_decode(vapid->public_key());
  ASSERT_TRUE(point.has_value());
  ASSERT_EQ(point->size(), 65u);
  EXPECT_EQ((*point)[0], '\x04');
  unsigned char expected[65];
  size_t len = 0;
  EVP_PKEY_get_octet_string_param(key->pkey, "encoded-pub-key", expected, sizeof(expected), &len);
  EXPECT_EQ(*point, std::string(reinterpret_cast<char*>(expected), len));
}

TEST(Vapid, JwtVerifiesWithOpenSsl) {
  auto key = make_p256_key();
  auto vapid = VapidKey::from_pem(key->private_pem);
  ASSERT_TRUE(vapid.has_value());
  auto jwt = vapid->sign_jwt("https://push.example.net", kNow + 3600, "mailto:a@example.test");
  ASSERT_TRUE(jwt.has_value()) << jwt.error().message;
  EXPECT_EQ(jwt_part(*jwt, 0), "{\"typ\":\"JWT\",\"alg\":\"ES256\"}");
  EXPECT_EQ(jwt_part(*jwt, 1),
            "{\"aud\":\"https://push.example.net\",\"exp\":1700003600,\"sub\":\"mailto:a@example.test\"}");
  EXPECT_TRUE(verify_jwt(*jwt, key->pkey));
  // another key does not verify it, nor does a changed token
  auto other = make_p256_key();
  EXPECT_FALSE(verify_jwt(*jwt, other->pkey));
  std::string tampered = *jwt;
  tampered[tampered.find('.') + 3] ^= 1;
  EXPECT_FALSE(verify_jwt(tampered, key->pkey));
}

TEST(Vapid, RefusesKeysThatAreNotP256) {
  EVP_PKEY* ed = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, ed, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  auto vapid = VapidKey::from_pem(std::string(data, static_cast<size_t>(len)));
  BIO_free(bio);
  EVP_PKEY_free(ed);
  ASSERT_FALSE(vapid.has_value());
  EXPECT_NE(vapid.error().message.find("P-256"), std::string::npos);
  EXPECT_FALSE(VapidKey::from_pem("not a key").has_value());
  auto missing = VapidKey::load_pem_file("/nonexistent/vapid.pem");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("/nonexistent/vapid.pem"), std::string::npos);
}

TEST(Vapid, SubjectMustBeAContactUri) {
  EXPECT_TRUE(validate_vapid_subject("mailto:postmaster@example.org").has_value());
  EXPECT_TRUE(validate_vapid_subject("https://example.org/contact").has_value());
  EXPECT_FALSE(validate_vapid_subject("postmaster@example.org").has_value());
  EXPECT_FALSE(validate_vapid_subject("mailto:\"x\"@example.org").has_value());
}

TEST(WebPushHeaders, TopicIs32Base64urlCharactersPerAccountAndMailbox) {
  const std::string topic = push_topic("alice@example.test", "INBOX");
  EXPECT_EQ(topic.size(), 32u);
  EXPECT_EQ(topic.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(topic, push_topic("alice@example.test", "INBOX"));
  EXPECT_NE(topic, push_topic("alice@example.test", "Work"));
  EXPECT_NE(topic, push_topic("bob@example.test", "INBOX"));
  // the separator keeps "a"+"bc" apart from "ab"+"c"
  EXPECT_NE(push_topic("a", "bc"), push_topic("ab", "c"));
}

TEST(WebPushHeaders, UrgencyHighOnlyForNewMessages) {
  EXPECT_EQ(push_urgency("MessageNew"), "high");
  EXPECT_EQ(push_urgency("MessageAppend"), "low");
  EXPECT_EQ(push_urgency("FlagsSet"), "low");
}

TEST_F(WebPushChannelTest, RequestCarriesEveryHeaderAndTheEncryptedBody) {
  auto d = delivery("https://push.example.net/send/abc?x=1");
  ASSERT_TRUE(channel->send_blocking(d).has_value());
  ASSERT_EQ(http->requests.size(), 1u);
  const HttpRequest& r = http->requests[0];
  EXPECT_EQ(r.url, "https://push.example.net/send/abc?x=1");
  EXPECT_EQ(r.timeout_ms, 7000);
  EXPECT_EQ(header(r, "TTL"), "3600");
  EXPECT_EQ(header(r, "Urgency"), "high");
  EXPECT_EQ(header(r, "Topic"), push_topic("alice@example.test", "INBOX"));
  EXPECT_EQ(header(r, "Content-Encoding"), "aes128gcm");
  EXPECT_EQ(header(r, "Content-Type"), "application/octet-stream");
  EXPECT_EQ(r.body, d.payload.bytes);

  const std::string auth = header(r, "Authorization");
  ASSERT_EQ(auth.rfind("vapid t=", 0), 0u) << auth;
  size_t comma = auth.find(", k=");
  ASSERT_NE(comma, std::string::npos);
  EXPECT_EQ(auth.substr(comma + 4), public_key);
  const std::string jwt = auth.substr(8, comma - 8);
  EXPECT_TRUE(verify_jwt(jwt, key->pkey));
  // RFC 8292 §2: aud is the origin of the push resource; exp within 24 h
  EXPECT_EQ(jwt_part(jwt, 1), "{\"aud\":\"https://push.example.net\",\"exp\":" +
                                  std::to_string(kNow + kVapidTokenLifetimeSecs) +
                                  ",\"sub\":\"mailto:postmaster@example.test\"}");
  EXPECT_LE(kVapidTokenLifetimeSecs, kVapidMaxLifetimeSecs);
}

TEST_F(WebPushChannelTest, WithoutDeviceKeysThePushHasNoBody) {
  ASSERT_TRUE(channel->send_blocking(delivery("https://push.example.net/s/1", "FlagsSet", false))
                  .has_value());
  const HttpRequest& r = http->requests.at(0);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(header(r, "Content-Encoding"), "<absent>");
  EXPECT_EQ(header(r, "Urgency"), "low");
}

TEST_F(WebPushChannelTest, TokenIsReusedPerAudienceUntilShortlyBeforeItExpires) {
  auto auth_of = [&](size_t i) { return header(http->requests.at(i), "Authorization"); };
  ASSERT_TRUE(channel->send_blocking(delivery("https://push.example.net/s/1")).has_value());
  clock.advance_secs(600);
  ASSERT_TRUE(channel->send_blocking(delivery("https://push.example.net/s/2")).has_value());
  EXPECT_EQ(auth_of(0), auth_of(1));
  // another origin, another audience
  ASSERT_TRUE(channel->send_blocking(delivery("http://localhost:8090/s/3")).has_value());
  EXPECT_NE(auth_of(2), auth_of(0));
  EXPECT_NE(auth_of(2).find(base64url_encode(
                "{\"aud\":\"http://localhost:8090\"").substr(0, 20)),
            std::string::npos);
  clock.advance_secs(kVapidTokenLifetimeSecs - kVapidRenewBeforeSecs);
  ASSERT_TRUE(channel->send_blocking(delivery("https://push.example.net/s/4")).has_value());
  EXPECT_NE(auth_of(3), auth_of(0));
}

TEST_F(WebPushChannelTest, PlainHttpOnlyForListedHosts) {
  EXPECT_TRUE(channel->validate_destination("http://localhost:8090/notify/x").has_value());
  EXPECT_TRUE(channel->validate_destination("http://LOCALHOST/notify/x").has_value());
  auto refused = channel->send_blocking(delivery("http://127.0.0.1:8090/notify/x"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_FALSE(refused.error().temporary());
  EXPECT_NE(refused.error().message.find("plain http:// is not allowed for 127.0.0.1"),
            std::string::npos);
  EXPECT_TRUE(http->requests.empty());
}

TEST_F(WebPushChannelTest, DestinationOutsideTheAllowListIsNotContacted) {
  auto refused = channel->send_blocking(delivery("https://10.1.2.3/push"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_FALSE(refused.error().temporary());
  EXPECT_NE(refused.error().message.find("not an allowed destination"), std::string::npos);
  EXPECT_TRUE(http->requests.empty());
}

TEST_F(WebPushChannelTest, AnswersMapToOutcomes) {
  auto send_with = [&](Result<HttpResponse> answer) {
    http->answers.push_back(std::move(answer));
    return channel->send_blocking(delivery("https://push.example.net/s"));
  };
  EXPECT_TRUE(send_with(HttpResponse{201, "", "", ""}).has_value());
  EXPECT_TRUE(send_with(HttpResponse{202, "", "", ""}).has_value());

  auto gone = send_with(HttpResponse{410, "", "", "{\"reason\":\"expired\"}"});
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().gone, 410);
  EXPECT_FALSE(gone.error().temporary());
  EXPECT_NE(gone.error().message.find("push service answered 410 ({\"reason\":\"expired\"})"),
            std::string::npos);
  EXPECT_EQ(send_with(HttpResponse{404, "", "", ""}).error().gone, 404);

  auto big = send_with(HttpResponse{413, "", "", ""});
  EXPECT_TRUE(big.error().too_large);
  EXPECT_FALSE(big.error().temporary());

  auto down = send_with(HttpResponse{503, "Tue, 14 Nov 2023 22:15:20 GMT", "", ""});
  EXPECT_TRUE(down.error().temporary());
  EXPECT_EQ(down.error().retry_after_ms, 120 * 1000);  // kNow is 22:13:20
  auto odd = send_with(HttpResponse{500, "soon", "", ""});
  EXPECT_TRUE(odd.error().temporary());
  EXPECT_EQ(odd.error().retry_after_ms, 0);
  EXPECT_NE(odd.error().message.find("unusable Retry-After soon"), std::string::npos);

  auto refused = send_with(HttpResponse{403, "", "", ""});
  EXPECT_FALSE(refused.error().temporary());
  EXPECT_NE(refused.error().message.find("VAPID"), std::string::npos);
  auto moved = send_with(HttpResponse{301, "", "https://elsewhere/", ""});
  EXPECT_FALSE(moved.error().temporary());
  EXPECT_NE(moved.error().message.find("redirects are not followed (to https://elsewhere/)"),
            std::string::npos);
  EXPECT_FALSE(send_with(HttpResponse{400, "", "", "bad\nline"}).error().temporary());
  EXPECT_TRUE(send_with(temporary_error("push service not reached: timeout")).error().temporary());
}

// UnifiedPush: 429 slows down that push service only, for its Retry-After.
TEST_F(WebPushChannelTest, TooManyRequestsHoldsThatPushServiceOnly) {
  http->answers.push_back(HttpResponse{429, "120", "", ""});
  auto busy = channel->send_blocking(delivery("https://push.example.net/a"));
  ASSERT_FALSE(busy.has_value());
  EXPECT_TRUE(busy.error().temporary());
  EXPECT_EQ(busy.error().retry_after_ms, 120000);
  ASSERT_EQ(http->requests.size(), 1u);

  // Another subscription on the same service waits without a request...
  clock.advance_secs(20);
  auto held = channel->send_blocking(delivery("https://push.example.net/b"));
  ASSERT_FALSE(held.has_value());
  EXPECT_TRUE(held.error().temporary());
  EXPECT_EQ(held.error().retry_after_ms, 100000);
  EXPECT_NE(held.error().message.find("https://push.example.net asked to slow down (429)"),
            std::string::npos)
      << held.error().message;
  EXPECT_EQ(http->requests.size(), 1u);
  // ...while another push service is sent to at once.
  EXPECT_TRUE(channel->send_blocking(delivery("http://localhost/notify/x")).has_value());
  EXPECT_EQ(http->requests.size(), 2u);

  // Once the wait is over the service is contacted again.
  clock.advance_secs(100);
  EXPECT_TRUE(channel->send_blocking(delivery("https://push.example.net/b")).has_value());
  ASSERT_EQ(http->requests.size(), 3u);
  EXPECT_EQ(http->requests.back().url, "https://push.example.net/b");

  // Without a usable Retry-After: kDefaultSlowDownMs.
  http->answers.push_back(HttpResponse{429, "", "", ""});
  auto bare = channel->send_blocking(delivery("https://push.example.net/b"));
  ASSERT_FALSE(bare.has_value());
  EXPECT_EQ(bare.error().retry_after_ms, kDefaultSlowDownMs);
  clock.advance_secs(1);
  EXPECT_EQ(channel->send_blocking(delivery("https://push.example.net/a")).error().retry_after_ms,
            kDefaultSlowDownMs - 1000);
  EXPECT_EQ(http->requests.size(), 4u);
}

// UnifiedPush: a body over 4096 bytes is never sent; it is "too large" like
// a 413, so the dispatcher sends a wake-up instead.
TEST_F(WebPushChannelTest, BodyOverTheUnifiedPushLimitIsNotSent) {
  Delivery big = delivery("https://push.example.net/s");
  big.payload.bytes = std::string(kMaxPushBody + 1, 'x');
  auto refused = channel->send_blocking(big);
  ASSERT_FALSE(refused.has_value());
  EXPECT_TRUE(refused.error().too_large);
  EXPECT_FALSE(refused.error().temporary());
  EXPECT_TRUE(http->requests.empty());
  big.payload.bytes.resize(kMaxPushBody);
  EXPECT_TRUE(channel->send_blocking(big).has_value());
  EXPECT_EQ(http->requests.size(), 1u);
}

// UnifiedPush: endpoints of at most 1000 bytes.
TEST_F(WebPushChannelTest, EndpointOverTheUnifiedPushLimitIsRefused) {
  std::string endpoint = "https://push.example.net/";
  endpoint += std::string(kMaxWebPushEndpoint - endpoint.size(), 'a');
  EXPECT_TRUE(channel->validate_destination(endpoint).has_value());
  auto refused = channel->validate_destination(endpoint + "a");
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("longer than 1000 bytes, the UnifiedPush limit"),
            std::string::npos);
}

// The validation push of IMAP WEBPUSH: urgent, and without a Topic, so the
// next mail's wake-up cannot replace it at the push service.
TEST_F(WebPushChannelTest, ValidationPushIsUrgentAndNeverCollapsed) {
  Delivery d = delivery("https://push.example.net/s");
  d.request.event = "";
  d.request.validation = "ACKWEBPUSH \"phone\" \"0123\"";
  auto request = channel->build_request(d, {});
  ASSERT_TRUE(request.has_value()) << request.error().message;
  EXPECT_EQ(header(*request, "Urgency"), "high");
  EXPECT_EQ(header(*request, "Topic"), "<absent>");
  EXPECT_EQ(header(*request, "Content-Encoding"), "aes128gcm");
  EXPECT_EQ(header(*request, "TTL"), "3600");
  Delivery mail = delivery("https://push.example.net/s");
  auto normal = channel->build_request(mail, {});
  ASSERT_TRUE(normal.has_value());
  EXPECT_EQ(header(*normal, "Topic"), push_topic("alice@example.test", "INBOX"));
}

TEST(RetryAfter, SecondsAndDates) {
  const int64_t now = kNow * 1000;
  EXPECT_EQ(parse_retry_after("0", now), 0);
  EXPECT_EQ(parse_retry_after(" 30 ", now), 30000);
  EXPECT_EQ(parse_retry_after("99999999999999999999999", now), kMaxRetryAfterMs);
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT", now), 60000);
  EXPECT_EQ(parse_retry_after("Tuesday, 14-Nov-23 22:14:20 GMT", now), 60000);
  EXPECT_EQ(parse_retry_after("Tue Nov 14 22:14:20 2023", now), 60000);
  EXPECT_EQ(parse_retry_after("Mon, 13 Nov 2023 22:14:20 GMT", now), 0);  // past
  EXPECT_FALSE(parse_retry_after("", now).has_value());
  EXPECT_FALSE(parse_retry_after("-5", now).has_value());
  EXPECT_FALSE(parse_retry_after("1.5", now).has_value());
  EXPECT_FALSE(parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT trailing", now).has_value());
}

TEST(WebPushEndpoint, Syntax) {
  auto e = parse_webpush_endpoint("https://Push.Example.net:443/send/a%20b?x=1");
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->https);
  EXPECT_EQ(e->host, "push.example.net");
  EXPECT_EQ(e->origin, "https://push.example.net");
  auto local = parse_webpush_endpoint("http://[::1]:8080/notify/x");
  ASSERT_TRUE(local.has_value());
  EXPECT_FALSE(local->https);
  EXPECT_EQ(local->host, "::1");
  EXPECT_EQ(local->origin, "http://[::1]:8080");
  for (const char* bad : {"ftp://push.example.net/x", "https://", "https://user@push.example.net/",
                          "https://push.example.net/a#frag", "https://push.example.net:0/",
                          "https://push.example.net/a b", "https://push_example.net/"})
    EXPECT_FALSE(parse_webpush_endpoint(bad).has_value()) << bad;
}

TEST(WebPushStatus, RecordsGoneEndpointsNewestFirst) {
  testing::TempDir dir;
  ASSERT_TRUE(prepare_webpush_status_dir(dir.path()).has_value());
  EXPECT_TRUE(read_gone_endpoints(dir.path(), "alice@example.test")->empty());
  ASSERT_TRUE(mark_endpoint_gone(dir.path(), "alice@example.test", {"https://p/1", 410, kNow})
                  .has_value());
  ASSERT_TRUE(mark_endpoint_gone(dir.path(), "alice@example.test", {"https://p/2", 404, kNow + 60})
                  .has_value());
  auto list = read_gone_endpoints(dir.path(), "alice@example.test");
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(webpush_status_value(list->front()), "gone 404 2023-11-14T22:14:20Z https://p/2");
  EXPECT_TRUE(find_gone_endpoint(dir.path(), "alice@example.test", "https://p/1").has_value());
  EXPECT_FALSE(find_gone_endpoint(dir.path(), "bob@example.test", "https://p/1").has_value());
  EXPECT_FALSE(find_gone_endpoint(dir.path(), "alice@example.test", "https://p/3").has_value());
  // names that are no plain file names stay inside status/
  EXPECT_EQ(webpush_status_path("/s", "../x y"), "/s/status/%2E.%2Fx%20y");
  EXPECT_EQ(webpush_status_path("/s", "a/b"), "/s/status/a%2Fb");
}

// ---- the dispatcher with the driver ----

class WebPushDispatchTest : public WebPushChannelTest {
 protected:
  void SetUp() override {
    WebPushChannelTest::SetUp();
    ASSERT_TRUE(spool.prepare().has_value());
    DispatcherOptions options;
    options.policy.unanswered_limit = 0;
    options.policy.rate_limit = RateLimit{};
    options.policy.expire_secs = 3600;
    options.state_dir = state.path();
    options.clock = &clock;
    options.random = std::make_unique<FixedRandom>(0.5);
    dispatcher = std::make_unique<Dispatcher>(Spool(dir.path()), logger, std::move(options));
    // the driver's own workers this time
    dispatcher->add_channel(std::move(channel));
    ASSERT_TRUE(dispatcher->start().has_value());
  }
  void submit(std::string address) {
    NotificationRequest r = delivery(std::move(address)).request;
    r.timestamp = kNow;
    r.format = PayloadFormat::Wakeup;
    ASSERT_TRUE(spool.submit(r, false).has_value());
    dispatcher->claim();
  }
  DispatchStats pass() {
    DispatchStats stats = dispatcher->run_due();
    if (dispatcher->in_flight() > 0) {
      struct pollfd p{dispatcher->completion_fd(), POLLIN, 0};
      EXPECT_EQ(poll(&p, 1, 2000), 1);
      DispatchStats more = dispatcher->collect();
      stats.sent += more.sent;
      stats.dropped += more.dropped;
      stats.retried += more.retried;
    }
    return stats;
  }
  size_t posts() {
    std::lock_guard<std::mutex> lock(http->mutex);
    return http->requests.size();
  }

  testing::TempDir dir, state;
  Spool spool{dir.path()};
  RecordingLogger logger;
  std::unique_ptr<Dispatcher> dispatcher;
};

TEST_F(WebPushDispatchTest, GoneSubscriptionIsRecordedAndGetsNothingMore) {
  http->answers.push_back(HttpResponse{410, "", "", ""});
  submit("https://push.example.net/old");
  submit("https://push.example.net/old");
  EXPECT_EQ(pass().dropped, 1u);
  EXPECT_EQ(posts(), 1u);
  EXPECT_EQ(logger.count_events("lnotify_notification_failed", "subscription_gone"), 1u);
  auto gone = find_gone_endpoint(dir.path(), "alice@example.test", "https://push.example.net/old");
  ASSERT_TRUE(gone.has_value());
  EXPECT_EQ(gone->code, 410);
  EXPECT_EQ(gone->since, kNow);

  // the one queued behind it, and a later one, are dropped unsent
  EXPECT_EQ(pass().dropped, 1u);
  submit("https://push.example.net/old");
  EXPECT_EQ(pass().dropped, 1u);
  EXPECT_EQ(posts(), 1u);
  EXPECT_EQ(logger.count_events("lnotify_notification_dropped", "subscription_gone"), 2u);
  EXPECT_TRUE(logger.contains(LogLevel::Warning,
                              "the Web Push subscription is gone (gone 410 2023-11-14T22:13:20Z "
                              "https://push.example.net/old); nothing is sent to it until the "
                              "client stores a new one"));

  // a new subscription is a new endpoint
  submit("https://push.example.net/new");
  EXPECT_EQ(pass().sent, 1u);
  EXPECT_EQ(posts(), 2u);
}

TEST_F(WebPushDispatchTest, BusyServiceIsRetriedAfterItsRetryAfter) {
  http->answers.push_back(HttpResponse{429, "90", "", ""});
  submit("https://push.example.net/s");
  EXPECT_EQ(pass().retried, 1u);
  EXPECT_EQ(*dispatcher->next_due_ms(), clock.now + 90 * 1000);
  clock.advance_secs(90);
  EXPECT_EQ(pass().sent, 1u);
  EXPECT_EQ(posts(), 2u);
}

}  // namespace
}  // namespace lnotify::webpush

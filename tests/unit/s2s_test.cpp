// Server-to-server notifications (draft §14): target configuration, the
// JSON binding, the request signature, the HTTP channel through a fake
// transport, and the mapping of the target's answer.
#include <sys/stat.h>

#include <ctime>
#include <fstream>
#include <future>
#include <mutex>

#include <gtest/gtest.h>

#include "channels/http/http_channel.h"
#include "service/dispatcher_config.h"
#include "channels/http/http_driver.h"
#include "lnotify/request/notification.h"
#include "lnotify/metadata/preferences.h"
#include "lnotify/payload/s2s.h"
#include "temp_dir.h"

namespace lnotify {
namespace {

using http::HttpPost;
using http::HttpResponse;

HttpResponse answer(long status, int64_t retry_after_secs = 0, std::string body = "",
                    std::string location = "") {
  HttpResponse r;
  r.status = status;
  r.retry_after_secs = retry_after_secs;
  r.body = std::move(body);
  r.location = std::move(location);
  return r;
}

TEST(S2sTarget, ParsesEveryKey) {
  auto t = parse_s2s_target(
      "crm url=https://notify.example.net/in events=MessageNew,Login,MWI "
      "secret_file=/etc/s client_cert=/etc/c.pem client_key=/etc/k.pem ca_file=/etc/ca.pem "
      "timeout=5");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->name, "crm");
  EXPECT_EQ(t->url, "https://notify.example.net/in");
  EXPECT_EQ(t->events, (std::vector<std::string>{"MessageNew", "Login", "MWI"}));
  EXPECT_EQ(t->client_cert, "/etc/c.pem");
  EXPECT_EQ(t->timeout_secs, 5u);
  EXPECT_TRUE(t->wants("MWI"));
  EXPECT_FALSE(t->wants("Logout"));
}

TEST(S2sTarget, DefaultsToTheDraftsEvents) {
  auto t = parse_s2s_target("a url=http://127.0.0.1:8080/ secret_file=/s");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->events, default_s2s_events());
  EXPECT_TRUE(t->wants("MessageTrash"));
  EXPECT_TRUE(t->wants("QuotaWithin"));
}

TEST(S2sTarget, RefusesWhatWouldFailLater) {
  for (const char* bad : {
           "",                                                       // no name
           "a secret_file=/s",                                       // no url
           "a url=http://h/",                                        // no secret
           "a url=ftp://h/ secret_file=/s",                          // scheme
           "a url=file:///etc/passwd secret_file=/s",                // scheme
           "a url=http://user:pw@h/ secret_file=/s",                 // credentials in url
           "a url=http:// secret_file=/s",                           // no host
           "a url=http://h/ secret_file=relative",                   // path
           "a url=http://h/ secret_file=/s events=MessageNew,Bogus", // event
           "a url=http://h/ secret_file=/s timeout=0",               // timeout
           "a url=http://h/ secret_file=/s client_cert=/c",          // cert without key
           "a url=http://h/ secret_file=/s client_cert=/c client_key=/k",  // cert over http
           "a url=http://h/ secret_file=/s colour=blue",             // unknown key
           "a/b url=http://h/ secret_file=/s",                       // name
       }) {
    EXPECT_FALSE(parse_s2s_target(bad)) << bad;
  }
}

TEST(S2sTarget, SecretMustNotBeWorldReadable) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/secret";
  std::ofstream(path) << "0123456789abcdef-secret\n";
  auto t = parse_s2s_target("a url=http://h/ secret_file=" + path);
  ASSERT_TRUE(t);
  ::chmod(path.c_str(), 0644);
  EXPECT_FALSE(load_s2s_secret(*t));
  ::chmod(path.c_str(), 0600);
  ASSERT_TRUE(load_s2s_secret(*t));
  EXPECT_EQ(t->secret, "0123456789abcdef-secret");
  std::ofstream(path) << "short";
  EXPECT_FALSE(load_s2s_secret(*t));
}

TEST(S2sConfig, TargetsNeedImapHostAndUniqueNames) {
  const std::string target = "s2s_target = a url=http://127.0.0.1/ secret_file=/s\n";
  EXPECT_FALSE(parse_dispatcher_config(target));
  auto ok = parse_dispatcher_config(target + "imap_host = mail.example.org\n");
  ASSERT_TRUE(ok) << ok.error().message;
  const auto& targets = ok->driver_as<http::HttpDriver>(ChannelKind::Http)->targets();
  EXPECT_EQ(targets.size(), 1u);
  EXPECT_EQ(s2s_provision(targets),
            "a=MessageNew,Login,Logout,MessageRead,MessageTrash,MessageExpunge,QuotaExceed,"
            "QuotaWithin");
  EXPECT_FALSE(parse_dispatcher_config(target + target + "imap_host = h\n"));
  // Users never choose HTTP; it is not listed among the channels either.
  EXPECT_FALSE(parse_dispatcher_config("channels = UDP HTTP\n"));
  EXPECT_FALSE(parse_channel_preference("HTTP=EXTENDED"));
}

NotificationRequest s2s_request() {
  NotificationRequest r;
  r.user = "alice";
  r.account = "alice@example.org";
  r.mailbox = "INBOX";
  r.event = "MessageNew";
  r.uid = 42;
  r.uidvalidity = 1700000001;
  r.timestamp = 1700000000;
  r.channel = ChannelKind::Http;
  r.format = PayloadFormat::Extended;
  r.address = "crm";
  r.sender = "=?UTF-8?Q?J=C3=B6rg?= <j@example.org>";
  r.subject = "Hello";
  r.datetime = 1699999990;
  r.sequence_id = 7;
  r.s2s = true;
  r.messages = 3;
  r.unseen = 2;
  return r;
}

TEST(S2sJson, CarriesTheComplementaryInformationAndTheUrl) {
  PayloadOptions o;
  o.imap_host = "mail.example.org";
  EXPECT_EQ(encode_s2s_json(s2s_request(), o),
            "{\"event\":\"MessageNew\",\"action\":\"notify\",\"timestamp\":\"2023-11-14T22:13:20Z\","
            "\"user\":\"alice@example.org\",\"inform\":[\"alice@example.org\"],\"sequence-id\":7,"
            "\"uri\":\"imap://alice@mail.example.org/INBOX;UIDVALIDITY=1700000001/;UID=42\","
            "\"mailbox\":\"INBOX\",\"messages\":3,\"unseen\":2,\"uidvalidity\":1700000001,"
            "\"uidset\":\"42\",\"sender\":\"Jörg <j@example.org>\",\"subject\":\"Hello\","
            "\"datetime\":\"2023-11-14T22:13:10Z\"}");
}

TEST(S2sJson, MwiUpdateCarriesTheFullState) {
  PayloadOptions o;
  o.imap_host = "mail.example.org";
  NotificationRequest r = s2s_request();
  r.mwi = true;
  r.event = "MessageRead";
  r.unseen = 0;
  EXPECT_EQ(encode_s2s_json(r, o),
            "{\"event\":\"MessageRead\",\"action\":\"mwi\",\"timestamp\":\"2023-11-14T22:13:20Z\","
            "\"user\":\"alice@example.org\",\"inform\":[\"alice@example.org\"],\"sequence-id\":7,"
            "\"uri\":\"imap://alice@mail.example.org/\",\"messages-waiting\":\"no\","
            "\"mailboxes\":\"INBOX\",\"messages\":3,\"unseen\":0}");
}

TEST(S2sRecord, RoundTrips) {
  NotificationRequest r = s2s_request();
  r.mwi = true;
  auto back = decode_request(encode_request(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->s2s);
  EXPECT_TRUE(back->mwi);
  EXPECT_EQ(back->messages, 3u);
  EXPECT_EQ(back->unseen, 2u);
  EXPECT_EQ(back->channel, ChannelKind::Http);
  NotificationRequest plain = s2s_request();
  plain.s2s = false;
  back = decode_request(encode_request(plain));
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->s2s);
}

TEST(S2sSignature, IsHmacSha256OverIdTimestampAndBody) {
  // python3: hmac.new(secret, b'7.1700000000.{"a":1}', sha256).hexdigest()
  EXPECT_EQ(s2s_signature("0123456789abcdef-secret", "7", 1700000000, "{\"a\":1}"),
            "v1=ec5e6275db38fefee6d80898c39cc0dc4ec73e114100d02908fd86bd99e457f2");
}

TEST(HttpAnswer, MapsStatusToOutcome) {
  EXPECT_TRUE(http::classify_http_response(answer(204), "t"));
  auto bad = http::classify_http_response(answer(400, 0, "no user"), "t");
  ASSERT_FALSE(bad);
  EXPECT_FALSE(bad.error().temporary());
  EXPECT_NE(bad.error().message.find("request error"), std::string::npos);
  EXPECT_NE(bad.error().message.find("no user"), std::string::npos);
  auto busy = http::classify_http_response(answer(503, 30), "t");
  ASSERT_FALSE(busy);
  EXPECT_TRUE(busy.error().temporary());
  EXPECT_EQ(busy.error().retry_after_ms, 30000);
  auto many = http::classify_http_response(answer(429, 999999), "t");
  ASSERT_FALSE(many);
  EXPECT_TRUE(many.error().temporary());
  EXPECT_EQ(many.error().retry_after_ms, 86400 * 1000);
  auto moved = http::classify_http_response(
      answer(301, 0, "", "http://elsewhere/"), "t");
  ASSERT_FALSE(moved);
  EXPECT_TRUE(moved.error().temporary());
  EXPECT_NE(moved.error().message.find("not followed"), std::string::npos);
}

class FakeTransport : public http::HttpTransport {
 public:
  explicit FakeTransport(Result<HttpResponse> answer) : answer_(std::move(answer)) {}
  Result<HttpResponse> post(const HttpPost& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    posts.push_back(request);
    return answer_;
  }
  std::mutex mutex_;
  std::vector<HttpPost> posts;

 private:
  Result<HttpResponse> answer_;
};

Result<void> send_through(FakeTransport* transport, std::unique_ptr<http::HttpTransport> owned) {
  auto target = parse_s2s_target("crm url=http://127.0.0.1:9/in secret_file=/s timeout=3");
  target->secret = "0123456789abcdef-secret";
  std::map<std::string, S2sTarget> targets{{"crm", *target}};
  http::HttpChannel channel(std::move(targets), std::move(owned), 1);
  EXPECT_TRUE(channel.validate_destination("crm"));
  EXPECT_FALSE(channel.validate_destination("other"));
  std::promise<Result<void>> outcome;
  Payload payload{.content_type = "application/json", .bytes = "{\"a\":1}"};
  channel.deliver(Delivery{s2s_request(), payload},
                  [&](Result<void> r) { outcome.set_value(std::move(r)); });
  auto result = outcome.get_future().get();
  (void)transport;
  return result;
}

TEST(HttpChannel, PostsTheSignedBody) {
  auto owned = std::make_unique<FakeTransport>(answer(200));
  FakeTransport* transport = owned.get();
  ASSERT_TRUE(send_through(transport, std::move(owned)));
}

TEST(HttpChannel, HeadersNameIdTimestampAndSignature) {
  auto owned = std::make_unique<FakeTransport>(answer(200));
  FakeTransport* transport = owned.get();
  auto target = parse_s2s_target("crm url=http://127.0.0.1:9/in secret_file=/s timeout=3");
  target->secret = "0123456789abcdef-secret";
  http::HttpChannel channel({{"crm", *target}}, std::move(owned), 1);
  std::promise<Result<void>> outcome;
  channel.deliver(Delivery{s2s_request(), Payload{.content_type = "application/json",
                                                  .bytes = "{\"a\":1}"}},
                  [&](Result<void> r) { outcome.set_value(std::move(r)); });
  ASSERT_TRUE(outcome.get_future().get());
  ASSERT_EQ(transport->posts.size(), 1u);
  const HttpPost& post = transport->posts[0];
  EXPECT_EQ(post.url, "http://127.0.0.1:9/in");
  EXPECT_EQ(post.body, "{\"a\":1}");
  EXPECT_EQ(post.timeout_secs, 3u);
  std::map<std::string, std::string> headers(post.headers.begin(), post.headers.end());
  EXPECT_EQ(headers["Content-Type"], "application/json");
  EXPECT_EQ(headers["X-Lnotify-Id"], "7");
  const int64_t ts = std::stoll(headers["X-Lnotify-Timestamp"]);
  EXPECT_NEAR(static_cast<double>(ts), static_cast<double>(std::time(nullptr)), 5.0);
  EXPECT_EQ(headers["X-Lnotify-Signature"],
            s2s_signature("0123456789abcdef-secret", "7", ts, "{\"a\":1}"));
}

TEST(HttpChannel, TransportFailureIsTemporary) {
  auto owned = std::make_unique<FakeTransport>(temporary_error("Connection refused"));
  FakeTransport* transport = owned.get();
  auto result = send_through(transport, std::move(owned));
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error().temporary());
  EXPECT_NE(result.error().message.find("target crm"), std::string::npos);
}

TEST(HttpChannel, RequestErrorIsPermanent) {
  auto owned = std::make_unique<FakeTransport>(answer(400));
  FakeTransport* transport = owned.get();
  auto result = send_through(transport, std::move(owned));
  ASSERT_FALSE(result);
  EXPECT_FALSE(result.error().temporary());
}

}  // namespace
}  // namespace lnotify

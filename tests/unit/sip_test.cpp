// The SIP layer without a network: message text, response parsing, the
// non-INVITE client transaction's timers against a fake clock and flow,
// the response mapping, transport choice and the MWI body.
#include <gtest/gtest.h>

#include <deque>
#include <functional>

#include "channels/sip/sip_channel.h"
#include "channels/sip/sip_driver.h"
#include "channels/common/sip/sip_client.h"
#include "channels/common/sip/sip_digest.h"
#include "channels/common/sip/sip_message.h"
#include "channels/common/sip/sip_notify.h"
#include "service/dispatcher_config.h"

namespace lnotify::sip {
namespace {

// Copies the headers a UAS echoes (RFC 3261 §8.2.6.2) into a response.
std::string answer(const std::string& request, const std::string& status_line,
                   const std::string& extra = "") {
  std::string out = "SIP/2.0 " + status_line + "\r\n";
  size_t pos = request.find("\r\n") + 2;
  while (pos < request.size()) {
    size_t eol = request.find("\r\n", pos);
    std::string line = request.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.empty()) break;
    for (const char* h : {"Via:", "From:", "To:", "Call-ID:", "CSeq:"})
      if (line.rfind(h, 0) == 0) out += line + "\r\n";
  }
  return out + extra + "Content-Length: 0\r\n\r\n";
}

struct FakeNet {
  int64_t now = 0;
  std::vector<int64_t> sent_at;
  std::vector<std::string> sent;
  // (at ms, response built from the last request)
  std::deque<std::pair<int64_t, std::function<std::string(const std::string&)>>> answers;
  std::string host;
  uint16_t port = 0;
  Transport transport = Transport::Udp;
  int opened = 0;
};

class FakeFlow : public Flow {
 public:
  FakeFlow(FakeNet& net, bool reliable) : net_(net), reliable_(reliable) {}
  bool reliable() const override { return reliable_; }
  std::string local_sent_by() const override { return "192.0.2.1:40000"; }
  Result<void> send(std::string_view m) override {
    net_.sent_at.push_back(net_.now);
    net_.sent.emplace_back(m);
    return {};
  }
  Result<std::optional<std::string>> receive(int64_t timeout_ms) override {
    EXPECT_GT(timeout_ms, 0);
    if (!net_.answers.empty() && net_.answers.front().first <= net_.now + timeout_ms) {
      auto [at, make] = net_.answers.front();
      net_.answers.pop_front();
      net_.now = std::max(net_.now, at);
      return std::optional<std::string>(make(net_.sent.back()));
    }
    net_.now += timeout_ms;
    return std::optional<std::string>{};
  }

 private:
  FakeNet& net_;
  bool reliable_;
};

class FakeConnector : public Connector {
 public:
  explicit FakeConnector(FakeNet& net) : net_(net) {}
  Result<FlowPtr> open(const std::string& host, uint16_t port, Transport t, int64_t) override {
    net_.host = host;
    net_.port = port;
    net_.transport = t;
    net_.opened++;
    return FlowPtr(std::make_unique<FakeFlow>(net_, t == Transport::Tcp));
  }

 private:
  FakeNet& net_;
};

MonotonicClock clock_of(FakeNet& net) {
  return [&net] { return net.now; };
}

Outgoing message_to(const std::string& uri, std::string body = "<emn/>") {
  Outgoing out;
  out.method = "MESSAGE";
  out.target = *parse_sip_address(uri);
  out.target_uri = uri;
  out.content_type = "application/vnd.wap.emn+xml";
  out.body = std::move(body);
  return out;
}

ClientSettings settings() {
  ClientSettings s;
  s.identity = "mail.example.test";
  return s;
}

// ---- messages --------------------------------------------------------

TEST(SipMessage, RequestCarriesTheMandatoryHeaders) {
  RequestSpec spec;
  spec.method = "MESSAGE";
  spec.request_uri = "sip:alice@example.org";
  spec.to = "<sip:alice@example.org>";
  spec.from = "<sip:lnotify@mail.example.org>";
  spec.from_tag = "abc";
  spec.call_id = "c1@mail.example.org";
  spec.via_transport = "UDP";
  spec.via_sent_by = "192.0.2.1:5060";
  spec.branch = "z9hG4bKx1";
  spec.content_type = "text/plain";
  spec.body = "héllo";
  const std::string m = build_request(spec);
  EXPECT_EQ(m.substr(0, m.find("\r\n")), "MESSAGE sip:alice@example.org SIP/2.0");
  for (const char* line : {"\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKx1;rport\r\n",
                           "\r\nMax-Forwards: 70\r\n", "\r\nTo: <sip:alice@example.org>\r\n",
                           "\r\nFrom: <sip:lnotify@mail.example.org>;tag=abc\r\n",
                           "\r\nCall-ID: c1@mail.example.org\r\n", "\r\nCSeq: 1 MESSAGE\r\n",
                           "\r\nContent-Type: text/plain\r\n", "\r\nContent-Length: 6\r\n\r\nhéllo"})
    EXPECT_NE(m.find(line), std::string::npos) << line << "\n" << m;
}

TEST(SipMessage, ParsesResponseWithCompactAndFoldedHeaders) {
  auto r = parse_response(
      "SIP/2.0 503 Service Unavailable\r\n"
      "v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;received=192.0.2.1, SIP/2.0/UDP x;branch=no\r\n"
      "f: <sip:a@b>;tag=1\r\nt: <sip:c@d>\r\ni: id\r\nCSeq: 7\r\n  MESSAGE\r\n"
      "Retry-After: 120 (maintenance);duration=60\r\nl: 3\r\n\r\nabcdef");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->reason, "Service Unavailable");
  EXPECT_EQ(r->top_via_branch(), "z9hG4bKabc");
  EXPECT_EQ(r->cseq_method(), "MESSAGE");
  EXPECT_EQ(r->retry_after_ms(), 120000);
  EXPECT_EQ(r->body, "abc");
  EXPECT_EQ(r->header("Call-ID"), "id");
}

TEST(SipMessage, RefusesMalformedResponses) {
  const char* heads = "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: a\r\nTo: b\r\nCall-ID: c\r\nCSeq: 1 MESSAGE\r\n";
  for (std::string bad : {std::string("MESSAGE sip:a@b SIP/2.0\r\n") + heads + "\r\n",
                          std::string("SIP/2.0 99 Low\r\n") + heads + "\r\n",
                          std::string("SIP/2.0 700 High\r\n") + heads + "\r\n",
                          std::string("SIP/2.0 200OK\r\n") + heads + "\r\n",
                          std::string("SIP/2.0 200 OK\r\n") + heads,  // no empty line
                          std::string("SIP/2.0 200 OK\r\nFrom: a\r\n\r\n"),  // no Via
                          std::string("SIP/2.0 200 OK\r\n") + heads + "Content-Length: 9\r\n\r\nshort",
                          std::string("SIP/2.0 200 OK\r\n") + heads + "Content-Length: -1\r\n\r\n",
                          std::string("SIP/2.0 200 OK\r\n") + heads + "Bad Name: x\r\n\r\n"})
    EXPECT_FALSE(parse_response(bad).has_value()) << bad;
}

TEST(SipMessage, RetryAfterForms) {
  auto with = [](std::string value) {
    return *parse_response("SIP/2.0 503 x\r\nVia: v\r\nFrom: a\r\nTo: b\r\nCall-ID: c\r\n"
                           "CSeq: 1 MESSAGE\r\nRetry-After: " + value + "\r\n\r\n");
  };
  EXPECT_EQ(with("5").retry_after_ms(), 5000);
  EXPECT_EQ(with("99999999999999").retry_after_ms(), 86400000);
  EXPECT_EQ(with("x").retry_after_ms(), std::nullopt);
  EXPECT_EQ(with("5x").retry_after_ms(), std::nullopt);
}

TEST(SipMessage, FramesMessagesOnAStream) {
  const std::string one = "SIP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok";
  EXPECT_EQ(*framed_message_length(one + "SIP/2.0"), one.size());
  EXPECT_EQ(*framed_message_length(one.substr(0, one.size() - 1)), 0u);
  EXPECT_EQ(*framed_message_length("SIP/2.0 200 OK\r\n"), 0u);
  EXPECT_FALSE(framed_message_length("SIP/2.0 200 OK\r\n\r\n").has_value());
}

// ---- the transaction's timers ---------------------------------------

TEST(SipTransaction, UdpRetransmitsDoublingUpToT2UntilTimerF) {
  FakeNet net;
  Client client(settings(), std::make_unique<FakeConnector>(net), clock_of(net));
  auto r = client.send(message_to("sip:alice@192.0.2.9"));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().temporary());
  EXPECT_NE(r.error().message.find("no answer within 32.0 s (Timer F; 11 transmissions)"),
            std::string::npos) << r.error().message;
  EXPECT_EQ(net.sent_at, (std::vector<int64_t>{0, 500, 1500, 3500, 7500, 11500, 15500, 19500,
                                               23500, 27500, 31500}));
  EXPECT_EQ(net.now, 32000);
  for (const auto& m : net.sent) EXPECT_EQ(m, net.sent.front()) << "the same request, same branch";
  EXPECT_EQ(net.host, "192.0.2.9");
  EXPECT_EQ(net.port, 5060);
}

TEST(SipTransaction, ShorterT1ScalesEveryTimer) {
  FakeNet net;
  ClientSettings s = settings();
  s.timers.t1_ms = 100;
  Client client(s, std::make_unique<FakeConnector>(net), clock_of(net));
  EXPECT_FALSE(client.send(message_to("sip:alice@192.0.2.9")).has_value());
  EXPECT_EQ(net.sent_at, (std::vector<int64_t>{0, 100, 300, 700, 1500, 3100, 6300}));
  EXPECT_EQ(net.now, 6400);
}

TEST(SipTransaction, TcpIsNotRetransmitted) {
  FakeNet net;
  Client client(settings(), std::make_unique<FakeConnector>(net), clock_of(net));
  auto r = client.send(message_to("sip:alice@192.0.2.9:5070;transport=TCP"));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().temporary());
  EXPECT_EQ(net.transport, Transport::Tcp);
  EXPECT_EQ(net.sent_at, std::vector<int64_t>{0});
  EXPECT_EQ(net.now, 32000);
  EXPECT_NE(net.sent[0].find("Via: SIP/2.0/TCP 192.0.2.1:40000;branch=z9hG4bK"), std::string::npos);
}

TEST(SipTransaction, FinalResponseEndsRetransmission) {
  FakeNet net;
  net.answers.push_back({700, [](const std::string& req) { return answer(req, "202 Accepted"); }});
  Client client(settings(), std::make_unique<FakeConnector>(net), clock_of(net));
  auto r = client.send(message_to("sip:alice@192.0.2.9"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(net.sent_at, (std::vector<int64_t>{0, 500}));
}

TEST(SipTransaction, ProvisionalResponseMovesRetransmissionToT2) {
  FakeNet net;
  net.answers.push_back({600, [](const std::string& req) { return answer(req, "100 Trying"); }});
  net.answers.push_back({9000, [](const std::string& req) { return answer(req, "200 OK"); }});
  Client client(settings(), std::make_unique<FakeConnector>(net), clock_of(net));
  auto r = client.send(message_to("sip:alice@192.0.2.9"));
  ASSERT_TRUE(r.has_value());
  // Timer E already set for 1500 fires, then every T2 (§17.1.2.2)
  EXPECT_EQ(net.sent_at, (std::vector<int64_t>{0, 500, 1500, 5500}));
}

TEST(SipTransaction, IgnoresAnswersToOtherRequestsAndGarbage) {
  FakeNet net;
  net.answers.push_back({100, [](const std::string&) { return std::string("garbage\r\n\r\n"); }});
  net.answers.push_back({200, [](const std::string& req) {
    std::string a = answer(req, "404 Not Found");
    return a.replace(a.find("z9hG4bK"), 7, "z9hG4bKother");
  }});
  net.answers.push_back({300, [](const std::string& req) { return answer(req, "200 OK"); }});
  Client client(settings(), std::make_unique<FakeConnector>(net), clock_of(net));
  auto r = client.send(message_to("sip:alice@192.0.2.9"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
}

// ---- transport and next hop ------------------------------------------

TEST(SipClient, LargeRequestsGoOverTcp) {
  FakeNet net;
  net.answers.push_back({10, [](const std::string& req) { return answer(req, "200 OK"); }});
  Client client(settings(), std::make_unique<FakeConnector>(net), clock_of(net));
  ASSERT_TRUE(client.send(message_to("sip:alice@192.0.2.9", std::string(1300, 'x'))).has_value());
  EXPECT_EQ(net.transport, Transport::Tcp);
  // a small one stays on UDP, even with ;transport=udp
  net.answers.push_back({10, [](const std::string& req) { return answer(req, "200 OK"); }});
  ASSERT_TRUE(client.send(message_to("sip:alice@192.0.2.9;transport=udp")).has_value());
  EXPECT_EQ(net.transport, Transport::Udp);
}

TEST(SipClient, OutboundProxyIsTheNextHop) {
  FakeNet net;
  net.answers.push_back({10, [](const std::string& req) { return answer(req, "200 OK"); }});
  ClientSettings s = settings();
  s.outbound_proxy = *parse_host_port("[2001:db8::1]:5080");
  Client client(s, std::make_unique<FakeConnector>(net), clock_of(net));
  ASSERT_TRUE(client.send(message_to("sip:alice@example.org")).has_value());
  EXPECT_EQ(net.host, "2001:db8::1");
  EXPECT_EQ(net.port, 5080);
  EXPECT_EQ(net.sent[0].substr(0, net.sent[0].find("\r\n")), "MESSAGE sip:alice@example.org SIP/2.0");
}

TEST(SipClient, RefusesSipsAndUnknownTransports) {
  FakeNet net;
  Client client(settings(), std::make_unique<FakeConnector>(net), clock_of(net));
  auto sips = client.send(message_to("sips:alice@example.org"));
  ASSERT_FALSE(sips.has_value());
  EXPECT_FALSE(sips.error().temporary());
  auto sctp = client.send(message_to("sip:alice@example.org;transport=sctp"));
  ASSERT_FALSE(sctp.has_value());
  EXPECT_FALSE(sctp.error().temporary());
  EXPECT_EQ(net.opened, 0);
}

TEST(SipClient, ParsesProxySetting) {
  EXPECT_EQ(parse_host_port("proxy.example.org")->port, 5060);
  EXPECT_EQ(parse_host_port("192.0.2.1:5070")->host, "192.0.2.1");
  EXPECT_FALSE(parse_host_port("proxy:0").has_value());
  EXPECT_FALSE(parse_host_port("a b").has_value());
  EXPECT_FALSE(parse_host_port("proxy;lr").has_value());
}

// ---- response mapping ---------------------------------------------------

Response status(int code, std::string extra = "") {
  return *parse_response("SIP/2.0 " + std::to_string(code) + " Reason\r\nVia: v\r\nFrom: a\r\nTo: b\r\n"
                         "Call-ID: c\r\nCSeq: 1 MESSAGE\r\n" + extra + "\r\n");
}

TEST(SipOutcome, MapsStatusClasses) {
  EXPECT_TRUE(outcome_of(status(200), "p").has_value());
  EXPECT_TRUE(outcome_of(status(202), "p").has_value());
  for (int permanent : {301, 302, 400, 403, 404, 415, 501, 505, 580, 600, 603, 604})
    EXPECT_FALSE(outcome_of(status(permanent), "p").error().temporary()) << permanent;
  for (int temporary : {408, 480, 486, 491, 500, 502, 503, 504})
    EXPECT_TRUE(outcome_of(status(temporary), "p").error().temporary()) << temporary;
  EXPECT_TRUE(outcome_of(status(413), "p").error().too_large);
  EXPECT_TRUE(outcome_of(status(513), "p").error().too_large);
  auto busy = outcome_of(status(503, "Retry-After: 30\r\n"), "sip:a@b");
  EXPECT_EQ(busy.error().retry_after_ms, 30000);
  EXPECT_EQ(busy.error().message, "SIP 503 Reason from sip:a@b (server failure: may pass later)");
  auto moved = outcome_of(status(302, "Contact: <sip:a@elsewhere>\r\n"), "p");
  EXPECT_NE(moved.error().message.find("redirects are not followed"), std::string::npos);
}

// ---- the channel ------------------------------------------------------

TEST(SipChannel, RefusesDestinationsOutsideTheAllowList) {
  FakeNet net;
  SipChannel channel(settings(), std::make_unique<FakeConnector>(net),
                     *DestinationPolicy::parse("127.0.0.1"), 1, clock_of(net));
  Delivery d;
  d.request.address = "sip:alice@192.0.2.9";
  d.payload.content_type = "application/vnd.wap.emn+xml";
  d.payload.bytes = "<emn/>";
  auto r = channel.send_now(d);
  ASSERT_FALSE(r.has_value());
  EXPECT_FALSE(r.error().temporary());
  EXPECT_NE(r.error().message.find("192.0.2.9 is not an allowed destination"), std::string::npos);
  EXPECT_EQ(net.opened, 0);
}

TEST(SipChannel, SendsPayloadAsMessageAndMapsTheAnswer) {
  FakeNet net;
  net.answers.push_back({10, [](const std::string& req) { return answer(req, "404 Not Found"); }});
  SipChannel channel(settings(), std::make_unique<FakeConnector>(net),
                     *DestinationPolicy::parse("127.0.0.1"), 1, clock_of(net));
  Delivery d;
  d.request.address = "sip:alice@127.0.0.1:5070";
  d.payload.content_type = "application/vnd.wap.emn+xml";
  d.payload.bytes = "<emn/>";
  auto r = channel.send_now(d);
  ASSERT_FALSE(r.has_value());
  EXPECT_FALSE(r.error().temporary());
  ASSERT_EQ(net.sent.size(), 1u);
  EXPECT_NE(net.sent[0].find("Content-Type: application/vnd.wap.emn+xml\r\nContent-Length: 6\r\n\r\n<emn/>"),
            std::string::npos) << net.sent[0];
  EXPECT_NE(net.sent[0].find("From: <sip:lnotify@mail.example.test>;tag="), std::string::npos);
  EXPECT_EQ(net.port, 5070);
}

// ---- message-waiting ------------------------------------------------

TEST(SipNotify, MessageSummaryBody) {
  MessageSummary s;
  s.messages_waiting = true;
  s.message_account = "imap://alice@mail.example.org/INBOX";
  s.counts = MessageCounts{MessageContextClass::Text, 2, 8, std::make_pair(1u, 0u)};
  EXPECT_EQ(message_summary_body(s),
            "Messages-Waiting: yes\r\nMessage-Account: imap://alice@mail.example.org/INBOX\r\n"
            "Text-Message: 2/8 (1/0)\r\n");
  EXPECT_EQ(message_summary_body(MessageSummary{}), "Messages-Waiting: no\r\n");
}

TEST(SipNotify, SendsNotifyWithEventAndSubscriptionState) {
  FakeNet net;
  net.answers.push_back({10, [](const std::string& req) { return answer(req, "200 OK"); }});
  Client client(settings(), std::make_unique<FakeConnector>(net), clock_of(net));
  MessageSummary s;
  s.messages_waiting = true;
  ASSERT_TRUE(send_message_summary(client, "sip:mwi@192.0.2.5", s).has_value());
  const std::string& m = net.sent.at(0);
  EXPECT_EQ(m.substr(0, m.find("\r\n")), "NOTIFY sip:mwi@192.0.2.5 SIP/2.0");
  for (const char* h : {"\r\nEvent: message-summary\r\n", "\r\nSubscription-State: active\r\n",
                        "\r\nContact: <sip:lnotify@mail.example.test>\r\n",
                        "\r\nCSeq: 1 NOTIFY\r\n",
                        "\r\nContent-Type: application/simple-message-summary\r\n"})
    EXPECT_NE(m.find(h), std::string::npos) << h;
  MessageSummary bad;
  bad.message_account = "imap://x\r\nEvil: 1";
  EXPECT_FALSE(send_message_summary(client, "sip:mwi@192.0.2.5", bad).has_value());
}

// ---- the address and the settings -----------------------------------

TEST(SipAddress, SplitsTheUri) {
  auto a = parse_sip_address("sip:alice@[2001:db8::1]:5070;lr;Transport=TCP");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->user, "alice");
  EXPECT_EQ(a->host, "2001:db8::1");
  EXPECT_EQ(a->port, 5070);
  EXPECT_EQ(a->transport, "tcp");
  auto b = parse_sip_address("sips:bob@example.org");
  ASSERT_TRUE(b.has_value());
  EXPECT_TRUE(b->secure);
  EXPECT_EQ(b->port, 0);
  EXPECT_FALSE(parse_sip_address("sip:example.org").has_value());
  EXPECT_FALSE(parse_sip_address("sip:a@b?subject=x").has_value());
}

// ---- Digest authentication (RFC 3261 §22) -----------------------------

// The response value of an Authorization header.
std::string response_of(const std::string& authorization) {
  const size_t at = authorization.find("response=\"") + 10;
  return authorization.substr(at, authorization.find('"', at) - at);
}

TEST(SipDigest, Rfc2617Example) {
  auto c = parse_digest_challenge(
      "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
      "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_TRUE(c->qop_auth);
  EXPECT_EQ(c->algorithm, "MD5");
  const std::string a = digest_authorization(*c, {"Mufasa", "Circle Of Life"}, "GET",
                                             "/dir/index.html", "0a4f113b", "00000001");
  EXPECT_EQ(response_of(a), "6629fae49393a05397450978507c4ef1");
  EXPECT_NE(a.find("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""), std::string::npos);
  EXPECT_NE(a.find("qop=auth, nc=00000001"), std::string::npos);
}

TEST(SipDigest, Rfc7616ExamplesMd5AndSha256) {
  const std::string params =
      " realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
      "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
      "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
  const DigestCredentials mufasa{"Mufasa", "Circle of Life"};
  const std::string cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  auto md5 = parse_digest_challenge("Digest algorithm=MD5," + params);
  auto sha = parse_digest_challenge("Digest algorithm=SHA-256," + params);
  ASSERT_TRUE(md5.has_value() && sha.has_value());
  EXPECT_EQ(response_of(digest_authorization(*md5, mufasa, "GET", "/dir/index.html", cnonce, "00000001")),
            "8ca523f5e9506fed4657c9700eebdbec");
  EXPECT_EQ(response_of(digest_authorization(*sha, mufasa, "GET", "/dir/index.html", cnonce, "00000001")),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

TEST(SipDigest, RefusesWhatItCannotAnswer) {
  EXPECT_FALSE(parse_digest_challenge("Basic realm=\"x\"").has_value());
  EXPECT_FALSE(parse_digest_challenge("Digest realm=\"x\"").has_value()) << "no nonce";
  EXPECT_FALSE(parse_digest_challenge("Digest nonce=\"n\", algorithm=MD5-sess").has_value());
  EXPECT_FALSE(parse_digest_challenge("Digest nonce=\"n\", qop=\"auth-int\"").has_value());
  EXPECT_FALSE(parse_digest_challenge("Digest nonce=\"n").has_value()) << "unterminated";
  EXPECT_FALSE(parse_digest_challenge("Digest nonce=\"a\\\"b\"").has_value()) << "a quote we would echo";
  EXPECT_FALSE(parse_digest_challenge("Digest =x").has_value());
  auto stale = parse_digest_challenge("Digest nonce=abc, stale=TRUE");
  ASSERT_TRUE(stale.has_value());
  EXPECT_TRUE(stale->stale);
  EXPECT_FALSE(stale->qop_auth);
}

ClientSettings with_credentials() {
  ClientSettings s = settings();
  s.credentials = DigestCredentials{"lnotify", "s3cret"};
  return s;
}

std::string header_line(const std::string& request, const std::string& name) {
  const size_t at = request.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  return request.substr(at + 2, request.find("\r\n", at + 2) - at - 2);
}

TEST(SipClient, AnswersADigestChallengeOnceInTheSameDialogIdentifiers) {
  FakeNet net;
  net.answers.push_back({10, [](const std::string& req) {
    return answer(req, "401 Unauthorized",
                  "WWW-Authenticate: Digest realm=\"example.test\", nonce=\"abc\", qop=\"auth\"\r\n");
  }});
  net.answers.push_back({20, [](const std::string& req) { return answer(req, "200 OK"); }});
  Client client(with_credentials(), std::make_unique<FakeConnector>(net), clock_of(net));
  auto r = client.send(message_to("sip:alice@192.0.2.9"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  ASSERT_EQ(net.sent.size(), 2u);
  EXPECT_EQ(net.opened, 1) << "the same flow";
  EXPECT_EQ(header_line(net.sent[0], "Call-ID"), header_line(net.sent[1], "Call-ID"));
  EXPECT_EQ(header_line(net.sent[0], "From"), header_line(net.sent[1], "From"));
  EXPECT_EQ(header_line(net.sent[1], "CSeq"), "CSeq: 2 MESSAGE");
  EXPECT_NE(header_line(net.sent[0], "Via"), header_line(net.sent[1], "Via")) << "a new branch";
  const std::string auth = header_line(net.sent[1], "Authorization");
  EXPECT_NE(auth.find("Digest username=\"lnotify\", realm=\"example.test\", nonce=\"abc\", "
                      "uri=\"sip:alice@192.0.2.9\""), std::string::npos) << auth;
  EXPECT_EQ(header_line(net.sent[0], "Authorization"), "");
}

TEST(SipClient, AProxyChallengeGetsProxyAuthorization) {
  FakeNet net;
  net.answers.push_back({10, [](const std::string& req) {
    return answer(req, "407 Proxy Authentication Required",
                  "Proxy-Authenticate: Digest realm=\"proxy\", nonce=\"n1\", algorithm=SHA-256\r\n");
  }});
  net.answers.push_back({20, [](const std::string& req) { return answer(req, "202 Accepted"); }});
  Client client(with_credentials(), std::make_unique<FakeConnector>(net), clock_of(net));
  ASSERT_TRUE(client.send(message_to("sip:alice@192.0.2.9")).has_value());
  ASSERT_EQ(net.sent.size(), 2u);
  EXPECT_NE(header_line(net.sent[1], "Proxy-Authorization").find("algorithm=SHA-256"), std::string::npos);
}

TEST(SipClient, ASecondChallengeMeansTheCredentialsAreRefused) {
  auto challenge = [](const std::string& stale) {
    return [stale](const std::string& req) {
      return answer(req, "401 Unauthorized",
                    "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\"" + stale + "\r\n");
    };
  };
  FakeNet net;
  net.answers.push_back({10, challenge("")});
  net.answers.push_back({20, challenge("")});
  Client client(with_credentials(), std::make_unique<FakeConnector>(net), clock_of(net));
  auto refused = client.send(message_to("sip:alice@192.0.2.9"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_FALSE(refused.error().temporary());
  EXPECT_NE(refused.error().message.find("credentials are refused"), std::string::npos);
  EXPECT_EQ(net.sent.size(), 2u) << "answered once, not in a loop";

  net.answers.push_back({30, challenge("")});
  net.answers.push_back({40, challenge(", stale=true")});
  auto stale = client.send(message_to("sip:alice@192.0.2.9"));
  ASSERT_FALSE(stale.has_value());
  EXPECT_TRUE(stale.error().temporary()) << "a stale nonce: the credentials were fine";
}

TEST(SipClient, WithoutCredentialsAChallengeIsAPermanentFailureSayingWhatToSet) {
  FakeNet net;
  net.answers.push_back({10, [](const std::string& req) {
    return answer(req, "401 Unauthorized", "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\n");
  }});
  Client client(settings(), std::make_unique<FakeConnector>(net), clock_of(net));
  auto r = client.send(message_to("sip:alice@192.0.2.9"));
  ASSERT_TRUE(r.has_value());
  auto outcome = outcome_of(*r, "p");
  EXPECT_FALSE(outcome.error().temporary());
  EXPECT_NE(outcome.error().message.find("set sip_username and sip_password"), std::string::npos);
  EXPECT_EQ(net.sent.size(), 1u);
}

TEST(SipSettings, CredentialsGoTogetherAndAreQuotable) {
  auto c = parse_dispatcher_config("sip_username = lnotify\nsip_password = s3cret\n");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->driver_as<SipDriver>(ChannelKind::Sip)->client().username, "lnotify");
  EXPECT_FALSE(parse_dispatcher_config("sip_username = lnotify\n").has_value());
  EXPECT_FALSE(parse_dispatcher_config("sip_username = a\"b\nsip_password = x\n").has_value());
}

TEST(SipSettings, ParsedAndValidated) {
  auto c = parse_dispatcher_config("sip_outbound_proxy = proxy.example.org:5080\nsip_workers = 2\nsip_t1_ms = 100\n");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  const SipDriver* sip = c->driver_as<SipDriver>(ChannelKind::Sip);
  EXPECT_EQ(sip->client().outbound_proxy, "proxy.example.org:5080");
  EXPECT_EQ(sip->workers(), 2u);
  EXPECT_EQ(sip->client().t1_ms, 100u);
  auto d = parse_dispatcher_config("");
  const SipDriver* defaults = d->driver_as<SipDriver>(ChannelKind::Sip);
  EXPECT_EQ(defaults->workers(), 4u);
  EXPECT_EQ(defaults->client().t1_ms, 500u);
  EXPECT_FALSE(parse_dispatcher_config("sip_outbound_proxy = a b\n").has_value());
  EXPECT_FALSE(parse_dispatcher_config("sip_workers = 0\n").has_value());
  EXPECT_FALSE(parse_dispatcher_config("sip_t1_ms = 5\n").has_value());
}

}  // namespace
}  // namespace lnotify::sip

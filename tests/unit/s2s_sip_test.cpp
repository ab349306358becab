// SIP MWI targets of the server-to-server channel (issue 13 item 3): the
// sip= form of s2s_target, the RFC 3842 summary built from an MWI update,
// and the HttpChannel sending it as a NOTIFY through a fake SIP network
// whose answer the test chooses.
#include <future>
#include <mutex>
#include <sstream>

#include <gtest/gtest.h>

#include "channels/http/http_channel.h"
#include "lnotify/payload/s2s.h"

namespace lnotify {
namespace {

TEST(S2sSipTarget, ParsesSipAndDefaultsToMwi) {
  auto t = parse_s2s_target("pbx sip=sip:alice-mwi@127.0.0.1:5070");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->is_sip());
  EXPECT_EQ(t->sip, "sip:alice-mwi@127.0.0.1:5070");
  EXPECT_TRUE(t->url.empty());
  EXPECT_EQ(t->events, (std::vector<std::string>{"MWI"}));
  auto explicit_events = parse_s2s_target("pbx sip=sip:mwi@pbx.example.net;transport=tcp events=MWI");
  ASSERT_TRUE(explicit_events) << explicit_events.error().message;
  // Nothing to read: a SIP target has no secret.
  EXPECT_TRUE(load_s2s_secret(*explicit_events));
}

TEST(S2sSipTarget, RefusesWhatItCannotDo) {
  for (const char* bad : {
           "pbx sip=http://h/",                                      // not sip:
           "pbx sip=sips:mwi@h",                                     // no TLS in the SIP layer
           "pbx sip=sip:",                                           // no host
           "pbx sip=sip:mwi@h;transport=sctp",                       // transport
           "pbx sip=sip:mwi@h events=MessageNew",                    // MWI only
           "pbx sip=sip:mwi@h events=MWI,Login",                     // MWI only
           "pbx sip=sip:mwi@h url=http://h/ secret_file=/s",         // both kinds
           "pbx sip=sip:mwi@h secret_file=/s",                       // HTTP-only key
           "pbx sip=sip:mwi@h timeout=10",                           // HTTP-only key
           "pbx sip=sip:mwi@h ca_file=/ca",                          // HTTP-only key
       }) {
    EXPECT_FALSE(parse_s2s_target(bad)) << bad;
  }
}

NotificationRequest mwi_request(uint32_t messages, uint32_t unseen) {
  NotificationRequest r;
  r.user = "alice@example.test";
  r.account = "alice@example.test";
  r.mailbox = "INBOX";
  r.event = "MessageRead";
  r.channel = ChannelKind::Http;
  r.address = "pbx";
  r.mwi = true;
  r.s2s = true;
  r.messages = messages;
  r.unseen = unseen;
  r.sequence_id = 3;
  return r;
}

TEST(S2sSipSummary, OnWithCountsAndAccount) {
  const auto s = http::mwi_message_summary(mwi_request(5, 2), "mail.example.org");
  EXPECT_EQ(sip::message_summary_body(s),
            "Messages-Waiting: yes\r\n"
            "Message-Account: imap://alice%40example.test@mail.example.org/\r\n"
            "Text-Message: 2/3\r\n");
}

TEST(S2sSipSummary, OffOnceAllSeen) {
  const auto s = http::mwi_message_summary(mwi_request(2, 0), "mail.example.org");
  EXPECT_FALSE(s.messages_waiting);
  ASSERT_TRUE(s.counts);
  EXPECT_EQ(s.counts->new_messages, 0u);
  EXPECT_EQ(s.counts->old_messages, 2u);
  // The account, not the session's user name, whichever session it was.
  NotificationRequest imap = mwi_request(2, 0);
  imap.user = "alice";
  EXPECT_EQ(http::mwi_message_summary(imap, "h").message_account, "imap://alice%40example.test@h/");
  // Counts never wrap when a racing expunge left unseen above messages.
  EXPECT_EQ(http::mwi_message_summary(mwi_request(1, 3), "h").counts->old_messages, 0u);
}

// A network where every request gets `status` back, copying the headers
// RFC 3261 §8.2.6.2 says a response copies.
struct FakeNet {
  explicit FakeNet(std::string answer) : status(std::move(answer)) {}
  std::string status;
  std::mutex mutex;
  std::vector<std::string> requests;
};

class AnsweringFlow : public sip::Flow {
 public:
  explicit AnsweringFlow(FakeNet& net) : net_(net) {}
  bool reliable() const override { return true; }
  std::string local_sent_by() const override { return "127.0.0.1:5999"; }
  Result<void> send(std::string_view message) override {
    std::lock_guard<std::mutex> lock(net_.mutex);
    net_.requests.emplace_back(message);
    std::istringstream in{std::string(message)};
    std::string line;
    answer_ = "SIP/2.0 " + net_.status + "\r\n";
    while (std::getline(in, line) && line != "\r") {
      for (const char* h : {"Via:", "From:", "To:", "Call-ID:", "CSeq:"})
        if (line.rfind(h, 0) == 0) answer_ += line + "\n";
    }
    answer_ += "Content-Length: 0\r\n\r\n";
    return {};
  }
  Result<std::optional<std::string>> receive(int64_t) override {
    std::optional<std::string> out;
    if (!answer_.empty()) out = std::exchange(answer_, {});
    return out;
  }

 private:
  FakeNet& net_;
  std::string answer_;
};

class AnsweringConnector : public sip::Connector {
 public:
  explicit AnsweringConnector(FakeNet& net) : net_(net) {}
  Result<sip::FlowPtr> open(const std::string&, uint16_t, sip::Transport, int64_t) override {
    return sip::FlowPtr(std::make_unique<AnsweringFlow>(net_));
  }

 private:
  FakeNet& net_;
};

class UnusedTransport : public http::HttpTransport {
 public:
  Result<http::HttpResponse> post(const http::HttpPost&) override {
    ADD_FAILURE() << "a sip= target must not be POSTed to";
    return permanent_error("unused");
  }
};

Result<void> send_to_pbx(FakeNet& net, const NotificationRequest& request) {
  auto target = parse_s2s_target("pbx sip=sip:alice-mwi@127.0.0.1:5070");
  sip::ClientSettings settings;
  settings.identity = "mail.example.org";
  http::SipMwiSender sender{
      std::make_unique<sip::Client>(settings, std::make_unique<AnsweringConnector>(net)),
      "mail.example.org"};
  http::HttpChannel channel({{"pbx", *target}}, std::make_unique<UnusedTransport>(), 1,
                            std::move(sender));
  std::promise<Result<void>> outcome;
  Payload json;  // what the dispatcher built for the channel; unused by a sip= target
  json.content_type = "application/json";
  json.bytes = "{}";
  channel.deliver(Delivery{request, json},
                  [&](Result<void> r) { outcome.set_value(std::move(r)); });
  return outcome.get_future().get();
}

TEST(S2sSipChannel, SendsMessageSummaryNotify) {
  FakeNet net("200 OK");
  ASSERT_TRUE(send_to_pbx(net, mwi_request(1, 1)));
  ASSERT_EQ(net.requests.size(), 1u);
  const std::string& req = net.requests[0];
  EXPECT_EQ(req.rfind("NOTIFY sip:alice-mwi@127.0.0.1:5070 SIP/2.0\r\n", 0), 0u) << req;
  EXPECT_NE(req.find("Event: message-summary\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("Content-Type: application/simple-message-summary\r\n"), std::string::npos);
  EXPECT_NE(req.find("\r\n\r\nMessages-Waiting: yes\r\n"
                     "Message-Account: imap://alice%40example.test@mail.example.org/\r\n"
                     "Text-Message: 1/0\r\n"),
            std::string::npos)
      << req;
}

TEST(S2sSipChannel, FourXxIsARequestErrorOthersAreRetried) {
  FakeNet bad("400 Bad Request");
  auto refused = send_to_pbx(bad, mwi_request(1, 1));
  ASSERT_FALSE(refused);
  EXPECT_FALSE(refused.error().temporary());
  EXPECT_EQ(refused.error().message.rfind("request error: target pbx: ", 0), 0u)
      << refused.error().message;

  FakeNet busy("503 Service Unavailable");
  auto later = send_to_pbx(busy, mwi_request(1, 1));
  ASSERT_FALSE(later);
  EXPECT_TRUE(later.error().temporary()) << later.error().message;
}

TEST(S2sSipChannel, OnlyMwiUpdatesGoToSipTargets) {
  FakeNet net("200 OK");
  NotificationRequest event = mwi_request(1, 1);
  event.mwi = false;
  auto result = send_to_pbx(net, event);
  ASSERT_FALSE(result);
  EXPECT_FALSE(result.error().temporary());
  EXPECT_TRUE(net.requests.empty());
}

}  // namespace
}  // namespace lnotify

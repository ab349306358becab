// A SIP user agent client for out-of-dialog, non-INVITE requests (MESSAGE,
// NOTIFY): one RFC 3261 §17.1.2 client transaction per request, over UDP
// or TCP, optionally through an outbound proxy, and the final response
// turned into success, a temporary or a permanent failure.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "channels/common/sip/sip_digest.h"
#include "channels/common/sip/sip_message.h"
#include "channels/common/sip/sip_transport.h"
#include "lnotify/metadata/preferences.h"
#include "lnotify/core/result.h"

namespace lnotify::sip {

// RFC 3261 §17.1.2.2: Timer E starts at T1 and doubles up to T2 (UDP
// only); Timer F, 64*T1, ends the transaction without a final response.
struct Timers {
  int64_t t1_ms = 500;
  int64_t t2_ms = 4000;
  int64_t timer_f_ms() const { return 64 * t1_ms; }
};

// Milliseconds from any fixed point; monotonic. Injected by unit tests.
using MonotonicClock = std::function<int64_t()>;
MonotonicClock steady_clock_ms();

// Runs one non-INVITE client transaction on flow: sends request, resends it
// on UDP at T1, 2*T1, ... capped at T2 (at T2 once a provisional response
// came, §17.1.2.2), until a final response whose top Via branch and CSeq
// method match. Responses that do not parse or do not match are ignored
// (§18.1.2 and §17.1.3). Timer F or a transport error: a temporary error.
Result<Response> run_transaction(Flow& flow, const std::string& request, const std::string& branch,
                                 const std::string& method, const Timers& timers,
                                 const MonotonicClock& now);

// RFC 3261 §18.1.1: "If a request is within 200 bytes of the path MTU, or
// if it is larger than 1300 bytes and the path MTU is unknown, the request
// MUST be sent using an RFC 2914 congestion controlled transport protocol,
// such as TCP."
inline constexpr size_t kMaxUdpRequest = 1300;

// host:port of the administrator's outbound proxy (sip_outbound_proxy).
struct HostPort {
  std::string host;  // an IPv6 literal without brackets
  uint16_t port = 5060;
};
// "host", "host:port" or "[v6]:port".
Result<HostPort> parse_host_port(std::string_view text);

struct ClientSettings {
  std::string identity;  // From: <sip:lnotify@IDENTITY>
  std::optional<HostPort> outbound_proxy;
  // sip_username / sip_password: answer a 401 or 407 Digest challenge once
  std::optional<DigestCredentials> credentials;
  Timers timers;
};

// One request to send: an out-of-dialog request to target.
struct Outgoing {
  std::string method;
  SipAddress target;  // the Request-URI and To
  std::string target_uri;
  std::vector<std::pair<std::string, std::string>> extra_headers;
  std::string content_type;
  std::string body;
};

class Client {
 public:
  Client(ClientSettings settings, ConnectorPtr connector, MonotonicClock now = steady_clock_ms());

  // Sends the request and waits for its final response (at most Timer F).
  // Safe to call from several threads at once: each call has its own flow.
  // Failures before any final response (resolution, connection, Timer F)
  // are errors; the response itself is returned whatever its status. A 401
  // or 407 with a Digest challenge, when credentials are configured, is
  // answered once (RFC 3261 §22.2: same Call-ID and tag, CSeq + 1); if the
  // peer challenges again, the credentials are refused: an error.
  Result<Response> send(const Outgoing& request);

  const ClientSettings& settings() const { return settings_; }

 private:
  ClientSettings settings_;
  ConnectorPtr connector_;
  MonotonicClock now_;
};

// The final response as an outcome (doc/channels/sip.md): 2xx success;
// 3xx permanent (redirects are not followed); 4xx permanent except 408,
// 480, 486 and 491, temporary; 413 permanent and too large; 5xx temporary
// except 501, 505 and 580, permanent, and 513, too large; 6xx permanent.
// A Retry-After on a temporary failure sets when to retry.
Result<void> outcome_of(const Response& response, const std::string& peer);

// Random text for tags, Call-IDs and branches (getrandom(2)).
std::string random_token(size_t bytes = 12);

}  // namespace lnotify::sip

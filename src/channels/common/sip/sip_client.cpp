#include "channels/common/sip/sip_client.h"

#include <sys/random.h>

#include <charconv>
#include <chrono>

#include "core/text_util.h"

namespace lnotify::sip {
namespace {

std::string seconds_text(int64_t ms) {
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
}

// The peer's reason phrase, safe for a log line.
std::string status_text(const Response& r) {
  std::string reason = text::quote_for_message(r.reason, 80);
  return "SIP " + std::to_string(r.status) + " " + reason.substr(1, reason.size() - 2);
}

// The first usable Digest challenge of a 401 (WWW-Authenticate) or 407
// (Proxy-Authenticate); a peer may offer several, e.g. SHA-256 and MD5.
Result<DigestChallenge> digest_challenge_of(const Response& r) {
  const std::string_view name = r.status == 401 ? "WWW-Authenticate" : "Proxy-Authenticate";
  Error last = permanent_error("no " + std::string(name) + " header");
  for (const auto& [header, value] : r.headers) {
    if (!text::iequals(header, name)) continue;
    auto challenge = parse_digest_challenge(value);
    if (challenge) return challenge;
    last = challenge.error();
  }
  return last;
}

}  // namespace

MonotonicClock steady_clock_ms() {
  return [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
}

std::string random_token(size_t bytes) {
  std::string raw(bytes, '\0');
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = getrandom(raw.data() + got, bytes - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  return text::to_hex(raw);
}

Result<Response> run_transaction(Flow& flow, const std::string& request, const std::string& branch,
                                 const std::string& method, const Timers& timers,
                                 const MonotonicClock& now) {
  const int64_t start = now();
  const int64_t timer_f = start + timers.timer_f_ms();
  int64_t interval = timers.t1_ms;  // Timer E
  int64_t next_send = start + interval;
  bool proceeding = false;
  unsigned transmissions = 1;
  std::string ignored;  // what was heard but not taken, for the error
  if (auto sent = flow.send(request); !sent) return sent.error();
  for (;;) {
    const int64_t t = now();
    if (t >= timer_f)
      return temporary_error("no answer within " + seconds_text(timers.timer_f_ms()) +
                             " (Timer F; " + std::to_string(transmissions) + " transmission" +
                             (transmissions == 1 ? "" : "s") + ")" + ignored);
    if (!flow.reliable() && t >= next_send) {
      if (auto sent = flow.send(request); !sent) return sent.error();
      ++transmissions;
      // §17.1.2.2: doubled up to T2 in Trying; T2 once Proceeding
      interval = proceeding ? timers.t2_ms : std::min(2 * interval, timers.t2_ms);
      next_send = t + interval;
      continue;
    }
    const int64_t wait = (flow.reliable() ? timer_f : std::min(timer_f, next_send)) - t;
    auto got = flow.receive(wait);
    if (!got) return got.error();
    if (!got->has_value()) continue;
    auto response = parse_response(**got);
    if (!response) {
      ignored = "; ignored an unusable answer: " + response.error().message;
      continue;
    }
    if (response->top_via_branch() != branch || !text::iequals(response->cseq_method(), method)) {
      ignored = "; ignored an answer to another request";
      continue;
    }
    if (response->status < 200) {
      proceeding = true;
      continue;
    }
    return std::move(*response);
  }
}

Result<HostPort> parse_host_port(std::string_view text) {
  // The SIP hostport rules (RFC 3261 §25.1), checked through a SIP URI.
  auto parsed = parse_sip_address("sip:x@" + std::string(text));
  if (!parsed || text.find(';') != std::string_view::npos)
    return permanent_error("expected host or host:port, e.g. proxy.example.org:5060");
  HostPort hp;
  hp.host = parsed->host;
  if (parsed->port != 0) hp.port = parsed->port;
  return hp;
}

Client::Client(ClientSettings settings, ConnectorPtr connector, MonotonicClock now)
    : settings_(std::move(settings)), connector_(std::move(connector)), now_(std::move(now)) {}

Result<Response> Client::send(const Outgoing& out) {
  const SipAddress& target = out.target;
  if (target.secure)
    return permanent_error("sips: URIs need TLS, which the SIP channel does not offer");
  Transport transport = Transport::Udp;
  if (target.transport == "tcp")
    transport = Transport::Tcp;
  else if (!target.transport.empty() && target.transport != "udp")
    return permanent_error("transport=" + target.transport +
                           " is not supported (the SIP channel speaks UDP and TCP)");

  RequestSpec spec;
  spec.method = out.method;
  spec.request_uri = out.target_uri;
  spec.to = "<" + out.target_uri + ">";
  spec.from = "<sip:" +
              (settings_.identity.find('@') == std::string::npos ? "lnotify@" : std::string()) +
              settings_.identity + ">";
  spec.from_tag = random_token(8);
  spec.call_id = random_token(16) + "@" + settings_.identity;
  spec.branch = std::string(kBranchCookie) + random_token(12);
  spec.extra_headers = out.extra_headers;
  spec.content_type = out.content_type;
  spec.body = out.body;
  // The size decides the transport before the flow exists: measure with
  // the longest sent-by a flow can have.
  spec.via_transport = "UDP";
  spec.via_sent_by = "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535";
  if (transport == Transport::Udp && build_request(spec).size() > kMaxUdpRequest)
    transport = Transport::Tcp;

  std::string host = target.host;
  uint16_t port = target.port != 0 ? target.port : 5060;
  if (settings_.outbound_proxy) {
    host = settings_.outbound_proxy->host;
    port = settings_.outbound_proxy->port;
  }
  const std::string peer = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                           std::to_string(port) + "/" + std::string(transport_name(transport));
  auto flow = connector_->open(host, port, transport, settings_.timers.timer_f_ms());
  if (!flow) return Error{flow.error().message, flow.error().disposition};
  spec.via_transport = std::string(transport_name(transport));
  spec.via_sent_by = (*flow)->local_sent_by();
  auto response = run_transaction(**flow, build_request(spec), spec.branch, spec.method,
                                  settings_.timers, now_);
  if (response && (response->status == 401 || response->status == 407) && settings_.credentials) {
    auto challenge = digest_challenge_of(*response);
    if (!challenge)
      return permanent_error(out.method + " to " + peer + ": SIP " +
                             std::to_string(response->status) + " with " +
                             challenge.error().message);
    spec.cseq += 1;
    spec.branch = std::string(kBranchCookie) + random_token(12);
    spec.extra_headers.emplace_back(
        response->status == 401 ? "Authorization" : "Proxy-Authorization",
        digest_authorization(*challenge, *settings_.credentials, spec.method, spec.request_uri,
                             random_token(8), "00000001"));
    response = run_transaction(**flow, build_request(spec), spec.branch, spec.method,
                               settings_.timers, now_);
    if (response && (response->status == 401 || response->status == 407)) {
      auto again = digest_challenge_of(*response);
      std::string message = out.method + " to " + peer + ": SIP " +
                            std::to_string(response->status) + " again after authenticating as " +
                            text::quote_for_message(settings_.credentials->username);
      // stale: the nonce expired in between, the credentials were fine
      if (again && again->stale) return temporary_error(message + " (stale nonce)");
      return permanent_error(message + ": the credentials are refused (sip_username, sip_password)");
    }
  }
  if (!response) {
    Error e = response.error();
    e.message = out.method + " to " + peer + ": " + e.message;
    return e;
  }
  return response;
}

Result<void> outcome_of(const Response& r, const std::string& peer) {
  const int s = r.status;
  if (s >= 200 && s < 300) return {};
  std::string message = status_text(r) + " from " + peer;
  auto temporary = [&](std::string why) {
    Error e = temporary_error(message + " (" + why + ")");
    if (auto after = r.retry_after_ms()) e.retry_after_ms = *after;
    return e;
  };
  auto permanent = [&](std::string why) { return permanent_error(message + " (" + why + ")"); };
  auto too_large = [&] {
    Error e = permanent_error(message + " (the peer refuses a body this large)");
    e.too_large = true;
    return e;
  };
  if (s < 300) return permanent("unexpected status");
  if (s < 400) {
    auto contact = r.header("Contact");
    return permanent("redirects are not followed" +
                     (contact ? "; Contact: " + text::quote_for_message(*contact, 120) : ""));
  }
  if (s < 500) {
    switch (s) {
      case 408: return temporary("request timeout: may pass later");
      case 480: return temporary("temporarily unavailable");
      case 486: return temporary("busy");
      case 491: return temporary("request pending");
      case 413: return too_large();
      case 401:
      case 407: return permanent("authentication required: set sip_username and sip_password");
      default: return permanent("the request was refused");
    }
  }
  if (s < 600) {
    switch (s) {
      case 501: return permanent("the peer does not implement " + r.cseq_method());
      case 505: return permanent("the peer does not speak SIP/2.0");
      case 513: return too_large();
      case 580: return permanent("precondition failure");
      default: return temporary("server failure: may pass later");
    }
  }
  return permanent("global failure: the user declines or does not exist anywhere");
}

}  // namespace lnotify::sip

#include "channels/xmpp/xmpp_channel.h"

#include <cstring>

#include "channels/xmpp/xmpp_stanza.h"

namespace lnotify::xmpp {
namespace {

using namespace std::chrono_literals;

// How long a notification waits for a connection before it fails as
// temporary (the dispatcher then retries it with its own backoff).
constexpr auto kConnectWait = 10s;
// How long the server may take to answer the ping after a message. A
// server that takes longer is treated as gone: the connection is remade.
constexpr auto kAckWait = 15s;
constexpr auto kMaxBackoff = 60s;
// A server that accepts the TCP connection but stalls TLS or login.
constexpr auto kLoginWait = 30s;
// libstrophe's loop wakes this often to pick up queued notifications.
constexpr unsigned long kLoopMs = 50;

constexpr std::string_view kAckSuffix = "-ack";

// libstrophe's certificate callback has no user data; it runs on the
// connection's thread, which belongs to one channel.
thread_local XmppChannel* t_channel = nullptr;

void initialise_libstrophe() {
  static std::once_flag once;
  std::call_once(once, [] { xmpp_initialize(); });
}

}  // namespace

XmppChannel::XmppChannel(XmppConfig config) : config_(std::move(config)) {
  initialise_libstrophe();
  domain_ = config_.jid.substr(config_.jid.find('@') + 1);
  domain_ = domain_.substr(0, domain_.find('/'));
  log_.handler = &XmppChannel::on_log;
  log_.userdata = this;
  thread_ = std::thread([this] { run(); });
}

XmppChannel::~XmppChannel() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

Result<void> XmppChannel::validate_destination(std::string_view address) const {
  return validate_address(ChannelKind::Xmpp, address);
}

void XmppChannel::deliver(Delivery delivery, SendCompletion done) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Stopping: the record stays in the spool for the next start.
  if (stopping_) return;
  queue_.push_back(Job{std::move(delivery), std::move(done), Clock::now()});
}

void XmppChannel::run() {
  t_channel = this;
  ctx_ = xmpp_ctx_new(nullptr, &log_);
  if (ctx_ == nullptr) last_error_ = "libstrophe could not start (out of memory)";
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) break;
      while (!queue_.empty()) {
        sending_.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (ctx_ == nullptr) {
      // Nothing can be sent; the dispatcher retries later.
      fail_queued("XMPP channel unavailable: " + last_error_);
      std::this_thread::sleep_for(std::chrono::milliseconds(kLoopMs));
      continue;
    }
    const auto now = Clock::now();
    if (state_ == State::Offline && now >= next_attempt_) connect();
    if (state_ == State::Connecting && !giving_up_login_ && now - connect_started_ >= kLoginWait) {
      // libstrophe times out the TCP connect only; it then calls
      // on_connection() once the stream is closed.
      logged_error_ = "no login within " + std::to_string(kLoginWait.count()) + " s";
      giving_up_login_ = true;
      xmpp_disconnect(conn_);
    }
    if (state_ == State::Online) send_queued();
    expire(now);
    xmpp_run_once(ctx_, kLoopMs);
  }
  // Stopping: what is not acknowledged stays in the spool, uncompleted
  // (the header says why), also when the disconnect below reports it.
  sending_.clear();
  in_flight_.clear();
  // A clean </stream:stream>, so the server does not wait for a timeout.
  if (conn_ != nullptr && state_ != State::Offline) {
    xmpp_disconnect(conn_);
    for (int i = 0; i < 20 && state_ != State::Offline; ++i) xmpp_run_once(ctx_, kLoopMs);
  }
  release_connection();
  if (ctx_ != nullptr) xmpp_ctx_free(ctx_);
  ctx_ = nullptr;
}

void XmppChannel::fail_queued(const std::string& why) {
  while (!sending_.empty()) {
    Job job = std::move(sending_.front());
    sending_.pop_front();
    job.done(temporary_error(why));
  }
}

void XmppChannel::release_connection() {
  if (conn_ != nullptr) xmpp_conn_release(conn_);
  conn_ = nullptr;
}

void XmppChannel::connect() {
  release_connection();
  // last_error_ stays: until this attempt ends it is the reason to report
  logged_error_.clear();
  logged_warning_.clear();
  conn_ = xmpp_conn_new(ctx_);
  if (conn_ == nullptr) {
    last_error_ = "out of memory";
    next_attempt_ = Clock::now() + kMaxBackoff;
    return;
  }
  // Stream management (XEP-0198) stays off: the ping gives the
  // acknowledgement, and a resumed stream would resend what the dispatcher
  // retries anyway.
  long flags = XMPP_CONN_FLAG_DISABLE_SM;
  if (config_.require_tls) flags |= XMPP_CONN_FLAG_MANDATORY_TLS;
  if (!config_.verify_tls) flags |= XMPP_CONN_FLAG_TRUST_TLS;
  xmpp_conn_set_flags(conn_, flags);
  xmpp_conn_set_jid(conn_, config_.jid.c_str());
  xmpp_conn_set_pass(conn_, config_.password.c_str());
  if (!config_.ca_file.empty()) xmpp_conn_set_cafile(conn_, config_.ca_file.c_str());
  xmpp_conn_set_certfail_handler(conn_, &XmppChannel::on_certificate_failure);
  // TCP keepalive notices a peer that vanished without closing.
  xmpp_conn_set_sockopt_callback(conn_, xmpp_sockopt_cb_keepalive);
  xmpp_handler_add(conn_, &XmppChannel::on_message_error, nullptr, "message", "error", this);
  state_ = State::Connecting;
  connect_started_ = Clock::now();
  giving_up_login_ = false;
  const char* host = config_.server_host.empty() ? nullptr : config_.server_host.c_str();
  if (xmpp_connect_client(conn_, host, config_.server_port, &XmppChannel::on_connection, this) !=
      XMPP_EOK) {
    if (last_error_.empty()) last_error_ = "cannot start connecting";
    state_ = State::Offline;
    backoff_ = std::min<std::chrono::milliseconds>(
        backoff_ == 0ms ? std::chrono::milliseconds(1s) : backoff_ * 2, kMaxBackoff);
    next_attempt_ = Clock::now() + backoff_;
  }
}

void XmppChannel::send_queued() {
  while (!sending_.empty()) {
    Job job = std::move(sending_.front());
    sending_.pop_front();
    const std::string id = "lnotify-" + std::to_string(next_id_++);
    const std::string ping_id = id + std::string(kAckSuffix);
    StanzaPtr message = build_notification(ctx_, job.delivery, id);
    StanzaPtr ping = build_ping(ctx_, ping_id, domain_);
    if (!message || !ping) {
      job.done(temporary_error("cannot build the XMPP stanza (out of memory)"));
      continue;
    }
    xmpp_id_handler_add(conn_, &XmppChannel::on_ping_reply, ping_id.c_str(), this);
    xmpp_send(conn_, message.get());
    xmpp_send(conn_, ping.get());
    in_flight_.emplace(id, InFlight{std::move(job.done), Clock::now()});
  }
}

void XmppChannel::expire(Clock::time_point now) {
  if (state_ != State::Online) {
    while (!sending_.empty() && now - sending_.front().queued >= kConnectWait) {
      Job job = std::move(sending_.front());
      sending_.pop_front();
      job.done(temporary_error("not connected to the XMPP server: " + offline_reason()));
    }
  }
  bool stale = false;
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    if (now - it->second.sent < kAckWait) {
      ++it;
      continue;
    }
    it->second.done(temporary_error("the XMPP server did not acknowledge the message within " +
                                    std::to_string(kAckWait.count()) + " s"));
    it = in_flight_.erase(it);
    stale = true;
  }
  if (stale && conn_ != nullptr && state_ == State::Online) xmpp_disconnect(conn_);
}

void XmppChannel::fail_in_flight(const std::string& why) {
  for (auto& [id, sent] : in_flight_) sent.done(temporary_error(why));
  in_flight_.clear();
}

std::string XmppChannel::offline_reason() const {
  std::string where = config_.server_host.empty()
                          ? domain_
                          : config_.server_host + ":" +
                                std::to_string(config_.server_port ? config_.server_port : 5222);
  return (last_error_.empty() ? std::string("connecting") : last_error_) + " (server " + where +
         ", account " + config_.jid + ")";
}

void XmppChannel::on_connection(xmpp_conn_t* conn, xmpp_conn_event_t event, int error,
                                xmpp_stream_error_t* stream_error, void* self) {
  auto* channel = static_cast<XmppChannel*>(self);
  if (conn != channel->conn_) return;
  if (event == XMPP_CONN_CONNECT) {
    channel->state_ = State::Online;
    channel->backoff_ = 0ms;
    channel->last_error_.clear();
    return;
  }
  if (event == XMPP_CONN_RAW_CONNECT) return;
  // XMPP_CONN_DISCONNECT or XMPP_CONN_FAIL: every fact there is, cause first
  std::string why;
  auto add = [&why](const std::string& part) {
    if (!part.empty()) why += (why.empty() ? "" : "; ") + part;
  };
  if (stream_error != nullptr)
    add(std::string("stream error") +
        (stream_error->text ? std::string(": ") + stream_error->text : ""));
  add(channel->logged_error_.empty() ? channel->logged_warning_ : channel->logged_error_);
  if (error != 0) add(std::strerror(error));
  if (why.empty())
    why = channel->state_ == State::Online ? "the server closed the connection"
                                           : "connection or login failed";
  channel->last_error_ = why;
  const bool was_online = channel->state_ == State::Online;
  channel->state_ = State::Offline;
  channel->fail_in_flight("the connection to the XMPP server was lost before it acknowledged the "
                          "message: " +
                          channel->offline_reason());
  // After a working connection the first retry is quick; failures in a
  // row wait longer and longer.
  channel->backoff_ = was_online ? std::chrono::milliseconds(1s)
                                 : std::min<std::chrono::milliseconds>(
                                       channel->backoff_ == 0ms ? std::chrono::milliseconds(1s)
                                                                : channel->backoff_ * 2,
                                       kMaxBackoff);
  channel->next_attempt_ = Clock::now() + channel->backoff_;
}

int XmppChannel::on_ping_reply(xmpp_conn_t*, xmpp_stanza_t* stanza, void* self) {
  auto* channel = static_cast<XmppChannel*>(self);
  const char* ping_id = xmpp_stanza_get_id(stanza);
  if (ping_id == nullptr) return 0;
  std::string id(ping_id);
  if (!id.ends_with(kAckSuffix)) return 0;
  id.resize(id.size() - kAckSuffix.size());
  // A result or an error (a server without XEP-0199 says
  // service-unavailable): either way the message before it was taken.
  if (auto it = channel->in_flight_.find(id); it != channel->in_flight_.end()) {
    it->second.done(Result<void>{});
    channel->in_flight_.erase(it);
  }
  return 0;  // one reply per ping
}

int XmppChannel::on_message_error(xmpp_conn_t*, xmpp_stanza_t* stanza, void* self) {
  auto* channel = static_cast<XmppChannel*>(self);
  const char* id = xmpp_stanza_get_id(stanza);
  if (id == nullptr) return 1;
  // A bounce after the acknowledgement (from a remote server, say) comes
  // too late to change the outcome; it is ignored.
  if (auto it = channel->in_flight_.find(id); it != channel->in_flight_.end()) {
    it->second.done(stanza_error_outcome(stanza));
    channel->in_flight_.erase(it);
  }
  return 1;  // keep handling bounces
}

void XmppChannel::on_log(void* self, xmpp_log_level_t level, const char* area,
                         const char* message) {
  if (level < XMPP_LEVEL_WARN) return;
  auto* channel = static_cast<XmppChannel*>(self);
  std::string& slot = level >= XMPP_LEVEL_ERROR ? channel->logged_error_ : channel->logged_warning_;
  if (slot.empty()) slot = std::string(area ? area : "xmpp") + ": " + (message ? message : "");
}

int XmppChannel::on_certificate_failure(const xmpp_tlscert_t* cert, const char* error) {
  // xmpp_tls_verify = no sets XMPP_CONN_FLAG_TRUST_TLS, so libstrophe asks
  // here only when the certificate must be refused.
  if (t_channel != nullptr) {
    const char* subject = xmpp_tlscert_get_string(cert, XMPP_CERT_SUBJECT);
    t_channel->logged_error_ = std::string("the server's certificate is not trusted: ") +
                               (error ? error : "verification failed") +
                               (subject ? std::string(" (subject ") + subject + ")" : "") +
                               "; see xmpp_ca_file";
  }
  return 0;
}

}  // namespace lnotify::xmpp

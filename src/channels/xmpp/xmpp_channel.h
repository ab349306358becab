// XMPP channel (draft §11.2): each notification is a message stanza from
// the dispatcher's own account (xmpp_jid) to the JID the user chose, over
// one persistent client connection made with libstrophe (RFC 6120/6121:
// STARTTLS when the server offers it, required by default; SASL
// authentication; resource binding).
//
// libstrophe is not thread-safe, so the connection lives on a thread of its
// own that runs libstrophe's event loop (xmpp_run_once). deliver() only
// queues the notification under a lock; that thread sends it, then an
// XEP-0199 ping, and completes the notification when the server answers
// the ping (xmpp_stanza.h says why that is the acknowledgement), or fails
// it when the server returns the message with a stanza error.
//
// Failures: not connected within kConnectWait (the server down, login
// refused) and no acknowledgement within kAckWait are temporary; the
// connection is then remade with exponential backoff (1 s doubling to
// 60 s). A message the server bounces is temporary or permanent by the
// error's type. Stopping the service drops what is not acknowledged yet
// without completing it: the records stay in the spool and go again at the
// next start (at least once, never lost).
#pragma once

#include <strophe.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "lnotify/dispatcher/channel.h"
#include "channels/xmpp/xmpp_config.h"

namespace lnotify::xmpp {

class XmppChannel : public Channel {
 public:
  explicit XmppChannel(XmppConfig config);
  ~XmppChannel() override;

  ChannelKind kind() const override { return ChannelKind::Xmpp; }
  Result<void> validate_destination(std::string_view address) const override;
  void deliver(Delivery delivery, SendCompletion done) override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Job {
    Delivery delivery;
    SendCompletion done;
    Clock::time_point queued;
  };
  struct InFlight {
    SendCompletion done;
    Clock::time_point sent;
  };
  enum class State { Offline, Connecting, Online };

  // Everything below runs on the connection thread only.
  void run();
  void connect();
  void release_connection();
  void send_queued();
  void expire(Clock::time_point now);
  void fail_queued(const std::string& why);
  void fail_in_flight(const std::string& why);
  std::string offline_reason() const;

  static void on_connection(xmpp_conn_t* conn, xmpp_conn_event_t event, int error,
                            xmpp_stream_error_t* stream_error, void* self);
  static int on_ping_reply(xmpp_conn_t* conn, xmpp_stanza_t* stanza, void* self);
  static int on_message_error(xmpp_conn_t* conn, xmpp_stanza_t* stanza, void* self);
  static void on_log(void* self, xmpp_log_level_t level, const char* area, const char* message);
  static int on_certificate_failure(const xmpp_tlscert_t* cert, const char* error);

  const XmppConfig config_;
  std::string domain_;  // of config_.jid: the ping goes there

  std::mutex mutex_;
  std::deque<Job> queue_;  // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_

  xmpp_log_t log_{};
  xmpp_ctx_t* ctx_ = nullptr;
  xmpp_conn_t* conn_ = nullptr;
  State state_ = State::Offline;
  Clock::time_point next_attempt_{};
  Clock::time_point connect_started_{};
  bool giving_up_login_ = false;  // xmpp_disconnect() called on a stalled login
  std::chrono::milliseconds backoff_{0};
  std::string last_error_;  // why the last attempt or connection ended
  // What libstrophe reported during the current attempt: the first error,
  // else the first warning (the first is the cause, later ones follow it).
  std::string logged_error_;
  std::string logged_warning_;
  uint64_t next_id_ = 1;
  std::map<std::string, InFlight> in_flight_;  // by message id
  std::deque<Job> sending_;  // taken from queue_, waiting for the connection

  std::thread thread_;
};

}  // namespace lnotify::xmpp

// Outband channels. Each channel validates its destination separately from
// sending (as Pigeonhole's enotify methods do), and reports a failure as
// temporary (retry later) or permanent (give up).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "lnotify/payload/payload.h"
#include "lnotify/request/notification.h"
#include "lnotify/metadata/preferences.h"
#include "lnotify/core/result.h"

namespace lnotify {

// One notification on its way out: the request (destination, account,
// mailbox, event, sequence-id: what a driver may put in headers) and the
// payload built for it. Owned by the send, so a driver may keep it while
// it waits on its peer.
struct Delivery {
  NotificationRequest request;
  Payload payload;
};

// Called exactly once per send with its outcome. Drivers that wait on a
// peer call it from their own thread: it is thread-safe and only queues the
// outcome; the dispatcher applies it on its own thread (completion_queue.h).
using SendCompletion = std::function<void(Result<void>)>;

class Channel {
 public:
  virtual ~Channel() = default;
  virtual ChannelKind kind() const = 0;
  // The address syntax alone (no network): the same check SETMETADATA makes.
  virtual Result<void> validate_destination(std::string_view address) const = 0;
  // Starts the delivery and returns without waiting on the network; the
  // outcome arrives through done. Temporary failures are retried by the
  // dispatcher, permanent ones are not.
  virtual void deliver(Delivery delivery, SendCompletion done) = 0;
};
using ChannelPtr = std::unique_ptr<Channel>;

// A channel whose send never waits (a non-blocking datagram): it completes
// in the call.
class ImmediateChannel : public Channel {
 public:
  void deliver(Delivery delivery, SendCompletion done) final {
    done(send(delivery.request.address, delivery.payload));
  }
  virtual Result<void> send(std::string_view address, const Payload& payload) = 0;
};

// The network seam of datagram channels, so tests can check the exact bytes
// and the dispatcher uses real sockets.
class DatagramTransport {
 public:
  virtual ~DatagramTransport() = default;
  virtual Result<void> send_to(const std::string& host, uint16_t port, std::string_view bytes) = 0;
};
using DatagramTransportPtr = std::unique_ptr<DatagramTransport>;

// A transport over a real UDP socket (non-blocking; a full socket buffer is a
// temporary failure, never a wait).
DatagramTransportPtr make_udp_socket_transport();

}  // namespace lnotify

// Outband channels. Each channel validates its destination separately from
// sending (as Pigeonhole's enotify methods do), and reports a failure as
// temporary (retry later) or permanent (give up).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "lnotify/preferences.h"
#include "lnotify/result.h"

namespace lnotify {

struct Payload {
  std::string content_type;      // media type of the document in bytes
  std::string bytes;
  std::string content_encoding;  // "aes128gcm" when encrypted (RFC 8188), else empty
  bool wsp_push = false;         // bytes are a WSP push PDU around the document
  std::string note;              // what was cut to fit the size limit, for the log
};

class Channel {
 public:
  virtual ~Channel() = default;
  virtual ChannelKind kind() const = 0;
  virtual Result<void> validate_destination(std::string_view address) const = 0;
  virtual Result<void> send(std::string_view address, const Payload& payload) = 0;
};
using ChannelPtr = std::unique_ptr<Channel>;

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

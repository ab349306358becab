// The network seam of the SIP layer: a Flow carries one transaction's
// request and responses (RFC 3261 §18.1), a Connector opens flows. The
// real ones use sockets; unit tests inject fakes to check retransmission
// timing without a network.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify::sip {

enum class Transport { Udp, Tcp };

inline std::string_view transport_name(Transport t) { return t == Transport::Udp ? "UDP" : "TCP"; }

class Flow {
 public:
  virtual ~Flow() = default;
  // Reliable transports are not retransmitted (RFC 3261 §17.1.2.2).
  virtual bool reliable() const = 0;
  // This end's host:port as Via's sent-by (an IPv6 address in brackets).
  virtual std::string local_sent_by() const = 0;
  virtual Result<void> send(std::string_view message) = 0;
  // Waits at most timeout_ms for the next whole message from the peer
  // (a datagram; on TCP one message cut out of the stream); no value when
  // the time ran out. A transport error (connection closed, ICMP refusal)
  // is an error.
  virtual Result<std::optional<std::string>> receive(int64_t timeout_ms) = 0;
};
using FlowPtr = std::unique_ptr<Flow>;

class Connector {
 public:
  virtual ~Connector() = default;
  // A flow to host:port: a connected UDP socket, or a TCP connection
  // established within timeout_ms.
  virtual Result<FlowPtr> open(const std::string& host, uint16_t port, Transport transport,
                               int64_t timeout_ms) = 0;
};
using ConnectorPtr = std::unique_ptr<Connector>;

ConnectorPtr make_socket_connector();

}  // namespace lnotify::sip

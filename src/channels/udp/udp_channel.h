// UDP channel: the notification payload as one datagram to the device's
// HOST:PORT (draft §11.2 lists UDP among the outband channels). Datagrams are
// unacknowledged, so a sent datagram is a delivered notification as far as
// this channel can tell; the dispatcher's ledger covers the rest.
#pragma once

#include "lnotify/dispatcher/channel.h"
#include "lnotify/metadata/destination_policy.h"

namespace lnotify::udp {

class UdpChannel : public ImmediateChannel {
 public:
  UdpChannel(DatagramTransportPtr transport, DestinationPolicy policy);

  ChannelKind kind() const override { return ChannelKind::Udp; }
  Result<void> validate_destination(std::string_view address) const override;
  Result<void> send(std::string_view address, const Payload& payload) override;

 private:
  // The destination host against the administrator's allow-list; a name
  // that is not listed is resolved and all its addresses must be allowed.
  Result<void> check_policy(const std::string& host) const;

  DatagramTransportPtr transport_;
  DestinationPolicy policy_;
};

// A UDP datagram carries at most 65507 bytes of payload over IPv4.
inline constexpr size_t kMaxDatagram = 65507;

}  // namespace lnotify::udp

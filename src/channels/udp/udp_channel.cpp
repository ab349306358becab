#include "channels/udp/udp_channel.h"

#include "channels/common/destination_check.h"

namespace lnotify::udp {

UdpChannel::UdpChannel(DatagramTransportPtr transport, DestinationPolicy policy)
    : transport_(std::move(transport)), policy_(std::move(policy)) {}

Result<void> UdpChannel::validate_destination(std::string_view address) const {
  return validate_address(ChannelKind::Udp, address);
}

Result<void> UdpChannel::check_policy(const std::string& host) const {
  auto checked = check_destination_host(policy_, host);
  if (!checked) return checked.error();
  return {};
}

Result<void> UdpChannel::send(std::string_view address, const Payload& payload) {
  auto destination = parse_udp_address(address);
  if (!destination) return destination.error();
  if (auto allowed = check_policy(destination->host); !allowed) return allowed;
  if (payload.bytes.size() > kMaxDatagram)
    return permanent_error("payload of " + std::to_string(payload.bytes.size()) +
                           " bytes does not fit in a UDP datagram");
  return transport_->send_to(destination->host, destination->port, payload.bytes);
}

}  // namespace lnotify::udp

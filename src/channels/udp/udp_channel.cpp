#include "channels/udp/udp_channel.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <memory>

namespace lnotify::udp {

UdpChannel::UdpChannel(DatagramTransportPtr transport, DestinationPolicy policy)
    : transport_(std::move(transport)), policy_(std::move(policy)) {}

Result<void> UdpChannel::validate_destination(std::string_view address) const {
  return validate_address(ChannelKind::Udp, address);
}

Result<void> UdpChannel::check_policy(const std::string& host) const {
  const Error refused = permanent_error(
      host + " is not an allowed destination (allowed_destinations: " +
      (policy_.empty() ? std::string("none") : policy_.text()) + ")");
  if (policy_.allows_host(host)) return {};
  struct addrinfo hints {};
  hints.ai_socktype = SOCK_DGRAM;
  struct addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return refused;
  std::unique_ptr<struct addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  for (auto* ai = found; ai != nullptr; ai = ai->ai_next) {
    char text[INET6_ADDRSTRLEN] = "";
    const void* raw = ai->ai_family == AF_INET
                          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr)
                          : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr);
    // a literal host resolves to itself: it was refused above already
    if (inet_ntop(ai->ai_family, raw, text, sizeof(text)) == nullptr || text == host ||
        !policy_.allows_address(text))
      return refused;
  }
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

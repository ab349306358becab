#include "channels/udp/udp_driver.h"

#include "channels/udp/udp_channel.h"

namespace lnotify::udp {
namespace {

// No settings of its own: the payload form (udp_payload) is a payload
// option, the destinations are allowed_destinations.
class UdpDriver : public channels::ChannelDriver {
 public:
  ChannelKind kind() const override { return ChannelKind::Udp; }
  Result<ChannelPtr> make(const channels::DriverContext& context) const override {
    auto policy = context.destination_policy();
    if (!policy) return policy.error();
    return ChannelPtr(
        std::make_unique<UdpChannel>(make_udp_socket_transport(), std::move(*policy)));
  }
};

}  // namespace

channels::ChannelDriverPtr make_driver() {
  return std::make_unique<UdpDriver>();
}

}  // namespace lnotify::udp

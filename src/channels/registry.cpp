#include "channels/registry.h"

#include "channels/udp/udp_channel.h"

namespace lnotify {

Result<ChannelPtr> make_channel(ChannelKind kind, const DispatcherConfig& config) {
  auto policy = DestinationPolicy::parse(config.allowed_destinations);
  if (!policy) return permanent_error("allowed_destinations: " + policy.error().message);
  switch (kind) {
    case ChannelKind::Udp:
      return ChannelPtr(
          std::make_unique<udp::UdpChannel>(make_udp_socket_transport(), std::move(*policy)));
    default:
      break;
  }
  return permanent_error("this version of lnotify-dispatch has no driver for channel " +
                         std::string(channel_name(kind)));
}

}  // namespace lnotify

#include "channels/registry.h"

#include "channels/udp/udp_channel.h"

namespace lnotify {

Result<ChannelPtr> make_channel(ChannelKind kind) {
  switch (kind) {
    case ChannelKind::Udp:
      return ChannelPtr(std::make_unique<udp::UdpChannel>(make_udp_socket_transport()));
    default:
      break;
  }
  return permanent_error("this version of lnotify-dispatch has no driver for channel " +
                         std::string(channel_name(kind)));
}

}  // namespace lnotify

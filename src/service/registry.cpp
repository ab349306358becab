#include "service/registry.h"

#include "channels/deltachat/deltachat_driver.h"
#include "channels/http/http_driver.h"
#include "channels/sip/sip_driver.h"
#include "channels/sms/sms_driver.h"
#include "channels/udp/udp_driver.h"
#include "channels/webpush/webpush_driver.h"
#include "channels/xmpp/xmpp_driver.h"
#include "service/dispatcher_config.h"

namespace lnotify {
namespace {

// One row per channel driver.
constexpr DriverFactory kDrivers[] = {
    udp::make_driver,
    sip::make_driver,
    sms::make_driver,
    xmpp::make_driver,
    webpush::make_driver,
    http::make_driver,
    deltachat::make_driver,
};

}  // namespace

std::span<const DriverFactory> channel_drivers() { return kDrivers; }

Result<ChannelPtr> make_channel(ChannelKind kind, const DispatcherConfig& config) {
  const channels::ChannelDriver* driver = config.driver(kind);
  if (driver == nullptr)
    return permanent_error("this version of lnotify-dispatch has no driver for channel " +
                           std::string(channel_name(kind)));
  return driver->make(config.driver_context());
}

}  // namespace lnotify

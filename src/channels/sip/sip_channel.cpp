#include "channels/sip/sip_channel.h"

#include "channels/common/destination_check.h"

namespace lnotify::sip {

SipChannel::SipChannel(ClientSettings settings, ConnectorPtr connector, DestinationPolicy policy,
                       unsigned workers, MonotonicClock now)
    : BlockingChannel(workers),
      client_(std::move(settings), std::move(connector), std::move(now)),
      policy_(std::move(policy)) {}

SipChannel::~SipChannel() { stop_workers(); }

Result<void> SipChannel::validate_destination(std::string_view address) const {
  return validate_address(ChannelKind::Sip, address);
}

Result<void> SipChannel::send_now(const Delivery& delivery) {
  const std::string& address = delivery.request.address;
  auto target = parse_sip_address(address);
  if (!target) return target.error();
  if (auto allowed = check_destination_host(policy_, target->host); !allowed)
    return allowed.error();
  if (delivery.payload.wsp_push)
    return permanent_error("the SIP channel does not carry WSP push PDUs");
  Outgoing out;
  out.method = "MESSAGE";  // RFC 3428
  out.target = std::move(*target);
  out.target_uri = address;
  out.content_type = delivery.payload.content_type;
  // an RFC 8291-encrypted EXTENDED payload (the device stored keys)
  if (!delivery.payload.content_encoding.empty())
    out.extra_headers.emplace_back("Content-Encoding", delivery.payload.content_encoding);
  out.body = delivery.payload.bytes;
  auto response = client_.send(out);
  if (!response) return response.error();
  return outcome_of(*response, address);
}

}  // namespace lnotify::sip

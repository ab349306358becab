#include "channels/sms/sms_channel.h"

#include "lnotify/metadata/preferences.h"

namespace lnotify::sms {

SmsChannel::SmsChannel(SmsConfig config, std::string identity, PayloadOptions wakeup_options,
                       GatewayHttpPtr http, unsigned workers)
    : BlockingChannel(workers),
      config_(std::move(config)),
      from_(config_.from.empty() ? std::move(identity) : config_.from),
      wakeup_options_(std::move(wakeup_options)),
      http_(std::move(http)),
      gateway_(gateway_name(config_.gateway == SmsGatewayKind::Kannel ? config_.gateway_url
                                                                      : config_.template_url)) {}

SmsChannel::~SmsChannel() { stop_workers(); }

Result<void> SmsChannel::validate_destination(std::string_view address) const {
  return validate_address(ChannelKind::Sms, address);
}

Result<std::vector<SmsMessage>> SmsChannel::messages_for(const Delivery& d) const {
  const Payload& p = d.payload;
  const bool text = d.request.format == PayloadFormat::Extended && config_.extended_as_text &&
                    !p.wsp_push && p.content_encoding.empty();
  if (text) {
    SmsMessage m = text_message(p.bytes);
    const unsigned parts = text_parts(m);
    if (parts > config_.max_parts) {
      // The dispatcher sends the wake-up instead (Error::too_large).
      Error e = permanent_error("the extended notification needs " + std::to_string(parts) +
                                " text SMS, more than sms_max_parts = " +
                                std::to_string(config_.max_parts));
      e.too_large = true;
      return e;
    }
    return std::vector<SmsMessage>{std::move(m)};
  }
  // The wake-up: the dispatcher built it (WAKEUP), or this channel does
  // (EXTENDED not allowed as text, or encrypted, which no text SMS carries).
  const std::string pdu =
      p.wsp_push ? p.bytes : build_wsp_wakeup(d.request, wakeup_options_).bytes;
  // A new reference per notification: two long wake-ups in a row to one
  // handset must not mix (3GPP TS 23.040 §9.2.3.24.1).
  auto segments =
      segment_for_sms(pdu, static_cast<uint8_t>(d.request.sequence_id & 0xFF), config_.port);
  if (!segments) return segments.error();
  std::vector<SmsMessage> out;
  for (auto& s : *segments) {
    SmsMessage m;
    m.binary = true;
    m.coding = 1;
    m.udh = std::move(s.udh);
    m.data = std::move(s.data);
    out.push_back(std::move(m));
  }
  return out;
}

Result<void> SmsChannel::send_blocking(const Delivery& d) {
  if (auto valid = validate_destination(d.request.address); !valid) return valid;
  auto messages = messages_for(d);
  if (!messages) return messages.error();
  const size_t total = messages->size();
  for (size_t i = 0; i < total; ++i) {
    const SmsMessage& m = (*messages)[i];
    const std::string url = config_.gateway == SmsGatewayKind::Kannel
                                ? kannel_request_url(config_, d.request.address, from_, m)
                                : template_request_url(config_, d.request.address, from_, m);
    // A retry sends every part again: the handset keeps one copy of a part
    // it already has (same reference and sequence number).
    const std::string where = "SMS gateway " + gateway_ +
                              (total > 1 ? ", SMS " + std::to_string(i + 1) + " of " +
                                               std::to_string(total)
                                         : std::string()) +
                              ": ";
    auto reply = http_->get(url);
    if (!reply) {
      Error e = reply.error();
      e.message = where + e.message;
      return e;
    }
    auto outcome = config_.gateway == SmsGatewayKind::Kannel ? interpret_kannel_reply(*reply)
                                                             : interpret_generic_reply(*reply);
    if (!outcome) {
      Error e = outcome.error();
      e.message = where + e.message;
      return e;
    }
  }
  return {};
}

}  // namespace lnotify::sms

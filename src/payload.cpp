#include "lnotify/payload.h"

#include "lnotify/emn.h"
#include "xml_writer.h"

namespace lnotify {
namespace {

// Draft §9: the extended payload "xemn" carries the EMN attributes plus what
// lets a client act on one message without a round trip.
Result<std::string> encode_xemn_xml(const NotificationRequest& r) {
  xml::Writer w;
  w.start_document()
      .start_element("xemn")
      .attribute("mailbox", mailat_uri(r.account))
      .attribute("timestamp", emn_timestamp(r.timestamp))
      .attribute("event", r.event)
      .attribute("uid", std::to_string(r.uid))
      .end_element();
  return w.finish();
}

}  // namespace

Result<Payload> build_payload(const NotificationRequest& request) {
  if (request.format == PayloadFormat::Wakeup) {
    auto xml = encode_emn_xml(EmnWakeup{mailat_uri(request.account), request.timestamp});
    if (!xml) return xml.error();
    return Payload{std::string(kEmnXmlContentType), std::move(*xml)};
  }
  auto xml = encode_xemn_xml(request);
  if (!xml) return xml.error();
  return Payload{std::string(kXemnContentType), std::move(*xml)};
}

}  // namespace lnotify

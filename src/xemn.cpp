#include "lnotify/xemn.h"

#include "lnotify/emn.h"
#include "xml_writer.h"

namespace lnotify {

Result<std::string> encode_xemn_xml(const XemnFacts& f) {
  xml::Writer w;
  w.start_document().start_element("xemn").attribute("mailbox", f.mailbox_uri);
  w.attribute("timestamp", emn_timestamp(f.timestamp));
  if (!f.event.empty()) w.attribute("event", f.event);
  if (!f.view.empty()) w.attribute("view", f.view);
  if (f.sequence_id != 0) w.attribute("sequence-id", std::to_string(f.sequence_id));
  if (f.uid != 0) w.attribute("uid", std::to_string(f.uid));
  if (!f.sender.empty()) w.attribute("sender", f.sender);
  // Same %Datetime form as timestamp, so one parser serves both.
  if (f.datetime && emn_time_representable(*f.datetime))
    w.attribute("datetime", emn_timestamp(*f.datetime));
  if (!f.subject.empty()) w.attribute("subject", f.subject);
  if (!f.snippet.empty()) w.text(f.snippet);
  w.end_element();
  return w.finish();
}

}  // namespace lnotify

#include "lnotify/payload/xemn.h"

#include "lnotify/payload/emn.h"
#include "core/utf8.h"
#include "payload/xml_writer.h"

namespace lnotify {

Result<std::string> encode_xemn_xml(const XemnFacts& f) {
  xml::Writer w;
  // Text that sanitizing empties (only control characters) counts as absent:
  // an attribute is either informative or not there.
  auto optional_text = [&w](const char* name, const std::string& value) {
    if (utf8::is_clean(value)) {
      if (!value.empty()) w.attribute(name, value);
      return;
    }
    std::string clean = utf8::sanitize(value);
    if (!clean.empty()) w.attribute(name, clean);
  };
  w.start_document().start_element("xemn").attribute("mailbox", f.mailbox_uri);
  w.attribute("timestamp", emn_timestamp(f.timestamp));
  optional_text("event", f.event);
  optional_text("view", f.view);
  if (f.sequence_id != 0) w.attribute("sequence-id", std::to_string(f.sequence_id));
  if (f.uid != 0) w.attribute("uid", std::to_string(f.uid));
  optional_text("sender", f.sender);
  // Same %Datetime form as timestamp, so one parser serves both.
  if (f.datetime && emn_time_representable(*f.datetime))
    w.attribute("datetime", emn_timestamp(*f.datetime));
  optional_text("subject", f.subject);
  // Draft §9.1: the content is a "snippet of body of message or any text to
  // be displayed on MUA"; a Sieve script's :message is the latter.
  const std::string& text = f.message.empty() ? f.snippet : f.message;
  if (!text.empty()) w.text(text);  // an empty text adds nothing
  w.end_element();
  return w.finish();
}

}  // namespace lnotify

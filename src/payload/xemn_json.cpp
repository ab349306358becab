#include "lnotify/payload/xemn_json.h"

#include "core/json_writer.h"
#include "core/utf8.h"

namespace lnotify {

std::string encode_xemn_json(const XemnFacts& f) {
  json::ObjectWriter w;
  // Text that sanitizing empties counts as absent, as in the XML form.
  auto optional_text = [&w](const char* name, const std::string& value) {
    std::string clean = utf8::sanitize(value);
    if (!clean.empty()) w.string(name, clean);
  };
  optional_text("event", f.event);
  w.string("mailbox", f.mailbox_uri);
  optional_text("view", f.view);
  if (f.uidvalidity != 0) w.number("uidvalidity", uint64_t{f.uidvalidity});
  if (f.uid != 0) w.number("uid", uint64_t{f.uid});
  if (f.sequence_id != 0) w.number("sequence-id", f.sequence_id);
  optional_text("sender", f.sender);
  optional_text("subject", f.subject);
  optional_text("snippet", f.snippet);
  optional_text("message", f.message);
  if (f.importance != 0) w.number("importance", uint64_t{f.importance});
  if (f.datetime && emn_time_representable(*f.datetime))
    w.string("datetime", emn_timestamp(*f.datetime));
  w.string("timestamp", emn_timestamp(f.timestamp));
  return w.finish();
}

std::string encode_wakeup_json(const EmnWakeup& emn) {
  return json::ObjectWriter()
      .string("mailbox", emn.mailbox_uri)
      .string("timestamp", emn_timestamp(emn.timestamp))
      .finish();
}

}  // namespace lnotify

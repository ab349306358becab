#include "lnotify/xemn_json.h"

#include "json_writer.h"

namespace lnotify {

std::string encode_xemn_json(const XemnFacts& f) {
  json::ObjectWriter w;
  if (!f.event.empty()) w.string("event", f.event);
  w.string("mailbox", f.mailbox_uri);
  if (!f.view.empty()) w.string("view", f.view);
  if (f.uidvalidity != 0) w.number("uidvalidity", uint64_t{f.uidvalidity});
  if (f.uid != 0) w.number("uid", uint64_t{f.uid});
  if (f.sequence_id != 0) w.number("sequence-id", f.sequence_id);
  if (!f.sender.empty()) w.string("sender", f.sender);
  if (!f.subject.empty()) w.string("subject", f.subject);
  if (!f.snippet.empty()) w.string("snippet", f.snippet);
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

#include "lnotify/emn.h"

#include <cstdio>
#include <ctime>

#include "xml_writer.h"

namespace lnotify {

std::string emn_timestamp(int64_t unix_seconds) {
  if (unix_seconds < kEarliestEmnTime) unix_seconds = kEarliestEmnTime;
  if (unix_seconds > kLatestEmnTime) unix_seconds = kLatestEmnTime;
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  // snprintf rather than strftime: no locale lookups on the hot path.
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

Result<std::string> encode_emn_xml(const EmnWakeup& emn) {
  // OMA EMN 1.0: an empty <emn> element with the mailbox URI and the time of
  // the event; the DOCTYPE carries the registered public identifier.
  xml::Writer w;
  w.start_document()
      .doctype("emn", kEmnPublicId, kEmnSystemId)
      .start_element("emn")
      .attribute("mailbox", emn.mailbox_uri)
      .attribute("timestamp", emn_timestamp(emn.timestamp))
      .end_element();
  return w.finish();
}

}  // namespace lnotify

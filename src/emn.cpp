#include "lnotify/emn.h"

#include <ctime>

#include "xml_writer.h"

namespace lnotify {

std::string emn_timestamp(int64_t unix_seconds) {
  if (unix_seconds < kEarliestEmnTime) unix_seconds = kEarliestEmnTime;
  if (unix_seconds > kLatestEmnTime) unix_seconds = kLatestEmnTime;
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
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

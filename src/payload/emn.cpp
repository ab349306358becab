#include "lnotify/payload/emn.h"

#include <ctime>

#include "payload/xml_writer.h"

namespace lnotify {

std::string emn_timestamp(int64_t unix_seconds) {
  if (unix_seconds < kEarliestEmnTime) unix_seconds = kEarliestEmnTime;
  if (unix_seconds > kLatestEmnTime) unix_seconds = kLatestEmnTime;
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  // Digits by hand rather than strftime or snprintf: no locale lookups and no
  // format parsing on the hot path. The clamp above keeps the year 4 digits.
  char buf[] = "YYYY-MM-DDThh:mm:ssZ";
  auto put = [&buf](size_t at, int value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value /= 10) buf[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, tm.tm_year + 1900, 4);
  put(5, tm.tm_mon + 1, 2);
  put(8, tm.tm_mday, 2);
  put(11, tm.tm_hour, 2);
  put(14, tm.tm_min, 2);
  put(17, tm.tm_sec, 2);
  return std::string(buf, sizeof(buf) - 1);
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

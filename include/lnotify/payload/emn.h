// OMA E-Mail Notification 1.0 (OMA-Push-EMN-V1_0), the wake-up payload of
// draft §9.1: "This notification, minimally, informs the client that some push
// event has happened on the server, so it must connect to fetch the
// information."
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lnotify/payload/mailbox_uri.h"
#include "lnotify/core/result.h"

namespace lnotify {

inline constexpr std::string_view kEmnPublicId = "-//WAPFORUM//DTD EMN 1.0//EN";
inline constexpr std::string_view kEmnSystemId = "http://www.wapforum.org/DTD/emn.dtd";
inline constexpr std::string_view kEmnXmlContentType = "text/vnd.wap.emn+xml";

// The span OMA %Datetime can write with its four-digit year.
inline constexpr int64_t kEarliestEmnTime = 0;             // 1970-01-01T00:00:00Z
inline constexpr int64_t kLatestEmnTime = 253402300799;    // 9999-12-31T23:59:59Z
inline bool emn_time_representable(int64_t t) {
  return t >= kEarliestEmnTime && t <= kLatestEmnTime;
}

// OMA %Datetime in UTC: YYYY-MM-DDThh:mm:ssZ. Times outside the span above are
// clamped to its ends, so the result always has this exact shape (libwbxml and
// handsets reject anything else).
std::string emn_timestamp(int64_t unix_seconds);

struct EmnWakeup {
  std::string mailbox_uri;
  int64_t timestamp = 0;
};

// The EMN document as UTF-8 XML with the registered DOCTYPE, written with
// libxml2's writer.
Result<std::string> encode_emn_xml(const EmnWakeup& emn);

}  // namespace lnotify

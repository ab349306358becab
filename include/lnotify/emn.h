// OMA E-Mail Notification 1.0 (OMA-Push-EMN-V1_0), the wake-up payload of
// draft §9.1: "This notification, minimally, informs the client that some push
// event has happened on the server, so it must connect to fetch the
// information."
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lnotify/result.h"

namespace lnotify {

inline constexpr std::string_view kEmnPublicId = "-//WAPFORUM//DTD EMN 1.0//EN";
inline constexpr std::string_view kEmnSystemId = "http://www.wapforum.org/DTD/emn.dtd";
inline constexpr std::string_view kEmnXmlContentType = "text/vnd.wap.emn+xml";

// OMA %Datetime in UTC: YYYY-MM-DDThh:mm:ssZ.
std::string emn_timestamp(int64_t unix_seconds);

// "mailat:" URI naming an account by its address (the EMN default).
std::string mailat_uri(std::string_view account);

struct EmnWakeup {
  std::string mailbox_uri;
  int64_t timestamp = 0;
};

// The EMN document as UTF-8 XML with the registered DOCTYPE, written with
// libxml2's writer.
Result<std::string> encode_emn_xml(const EmnWakeup& emn);

}  // namespace lnotify

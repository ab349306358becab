// The WSP connectionless push PDU (WAP-230-WSP §8.2.4.1) that carries an EMN
// to a handset's push dispatcher over SMS (WDP port 2948) or UDP:
//
//   TID | 06 (Push) | HeadersLen (uintvar) | ContentType | Headers | Data
//
// The header set is kept minimal on purpose: Content-Type plus
// X-Wap-Application-Id. Field reports (Kannel devel list, 2007) name handsets
// that refused EMN pushes carrying any other header, and others that required
// the application id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lnotify {

// WSP well-known content types (WINA registry).
inline constexpr uint32_t kWspContentTypeEmnXml = 0x0304;    // text/vnd.wap.emn+xml
inline constexpr uint32_t kWspContentTypeEmnWbxml = 0x030A;  // application/vnd.wap.emn+wbxml
// Push application id x-wap-application:emn.ua (0x0A is wv.ua).
inline constexpr uint8_t kWapApplicationIdEmn = 0x09;

struct WspPush {
  uint8_t transaction_id = 0;
  uint32_t content_type = kWspContentTypeEmnWbxml;
  std::optional<uint8_t> application_id = kWapApplicationIdEmn;
  std::string body;
};

std::string encode_wsp_push(const WspPush& push);

// WSP uintvar: 7 bits per octet, most significant first, high bit set on
// every octet but the last.
std::string encode_uintvar(uint32_t value);

}  // namespace lnotify

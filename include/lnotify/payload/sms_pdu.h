// Carrying a WAP push PDU (or any binary payload) in SMS (3GPP TS 23.040
// §9.2.3.24, WAP-259-WDP §6.5): 8-bit user data whose User Data Header holds
// 16-bit application port addressing and, when one message is not enough,
// concatenation.
//
//   UDH = UDHL | 05 04 dst(2) src(2) [| 00 03 ref total seq]
//
// 140 octets of user data per message, UDH included: 133 payload octets with
// the port IE alone, 128 per part with the 8-bit-reference concatenation IE.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lnotify/core/result.h"

namespace lnotify {

inline constexpr uint16_t kWapPushPort = 2948;            // wap-push, connectionless
inline constexpr uint16_t kImapPort = 143;                // draft Appendix A
inline constexpr uint16_t kWspConnectionlessPort = 9200;  // the WAP server's source port
inline constexpr size_t kSmsUserDataOctets = 140;

struct SmsSegment {
  std::string udh;   // with its UDHL octet; the SMS is sent with TP-UDHI set
  std::string data;  // this segment's share of the payload

  std::string user_data() const { return udh + data; }
};

// Splits payload into as few SMS as hold it. The caller picks the reference
// number (it must differ between concurrent long messages to one handset);
// a single SMS carries no concatenation IE, so the reference goes unused.
// More than 255 parts cannot be numbered and are an error.
Result<std::vector<SmsSegment>> segment_for_sms(std::string_view payload, uint8_t reference,
                                                uint16_t destination_port = kWapPushPort,
                                                uint16_t source_port = kWspConnectionlessPort);

}  // namespace lnotify

#include "lnotify/payload/sms_pdu.h"

namespace lnotify {
namespace {

constexpr char kIeiPorts16 = 0x05;        // application port addressing, 16-bit
constexpr char kIeiConcat8 = 0x00;        // concatenated SMS, 8-bit reference
constexpr size_t kPortsIeSize = 2 + 4;    // IEI, IEDL, dst, src
constexpr size_t kConcatIeSize = 2 + 3;   // IEI, IEDL, ref, total, seq
constexpr size_t kMaxParts = 255;

void append_port(std::string& out, uint16_t port) {
  out += static_cast<char>(port >> 8);
  out += static_cast<char>(port & 0xFF);
}

std::string udh(uint16_t dst, uint16_t src, const uint8_t* concat /* ref, total, seq */) {
  std::string ies;
  ies += kIeiPorts16;
  ies += '\x04';
  append_port(ies, dst);
  append_port(ies, src);
  if (concat) {
    ies += kIeiConcat8;
    ies += '\x03';
    ies.append(reinterpret_cast<const char*>(concat), 3);
  }
  return static_cast<char>(ies.size()) + ies;  // UDHL counts the IEs, not itself
}

}  // namespace

Result<std::vector<SmsSegment>> segment_for_sms(std::string_view payload, uint8_t reference,
                                                uint16_t destination_port, uint16_t source_port) {
  const size_t single = kSmsUserDataOctets - 1 - kPortsIeSize;              // 133
  const size_t per_part = kSmsUserDataOctets - 1 - kPortsIeSize - kConcatIeSize;  // 128
  if (payload.size() <= single)
    return std::vector<SmsSegment>{{udh(destination_port, source_port, nullptr), std::string(payload)}};

  const size_t parts = (payload.size() + per_part - 1) / per_part;
  if (parts > kMaxParts)
    return permanent_error("payload of " + std::to_string(payload.size()) +
                           " bytes needs more than 255 SMS");
  std::vector<SmsSegment> segments;
  segments.reserve(parts);
  for (size_t i = 0; i < parts; ++i) {
    const uint8_t concat[3] = {reference, static_cast<uint8_t>(parts), static_cast<uint8_t>(i + 1)};
    segments.push_back({udh(destination_port, source_port, concat),
                        std::string(payload.substr(i * per_part, per_part))});
  }
  return segments;
}

}  // namespace lnotify

// Fuzz target: payload encoders fed hostile message headers. Whatever the
// sender's From, Subject and body, the xemn must be well-formed XML, the
// JSON binding valid UTF-8 without raw control characters, and a payload
// fitted to a size limit must not exceed it (draft §11.3 "limit").
#include <libxml/parser.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lnotify/payload/mime_header.h"
#include "lnotify/payload/payload_size.h"
#include "lnotify/payload/xemn.h"
#include "lnotify/payload/xemn_json.h"

using namespace lnotify;

namespace {

bool well_formed(const std::string& xml) {
  xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "fuzz.xml", nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == nullptr) return false;
  xmlFreeDoc(doc);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  // split the input into sender / subject / snippet at the first two NULs
  size_t a = input.find('\0');
  size_t b = a == std::string_view::npos ? a : input.find('\0', a + 1);
  XemnFacts facts;
  facts.mailbox_uri = "mailat:alice@example.test";
  facts.timestamp = 1700000000;
  facts.event = "MessageNew";
  facts.view = "INBOX";
  facts.uid = 7;
  facts.sender = decode_header_value(input.substr(0, a));
  if (a != std::string_view::npos)
    facts.subject = decode_header_value(input.substr(a + 1, b == std::string_view::npos ? b : b - a - 1));
  if (b != std::string_view::npos) facts.snippet = std::string(input.substr(b + 1));

  auto xml = encode_xemn_xml(facts);
  if (!xml || !well_formed(*xml)) std::abort();
  std::string json = encode_xemn_json(facts);
  for (unsigned char c : json)
    if (c < 0x20) std::abort();

  const size_t limit = 120 + (static_cast<size_t>(data[0]) << 2 | data[1] >> 6);
  auto fitted = fit_to_size(facts, limit, encode_xemn_xml);
  if (fitted && fitted->has_value() && (*fitted)->bytes.size() > limit) std::abort();
  return 0;
}

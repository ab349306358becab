// Fuzz target: what a SIP peer sends back (channels/common/sip/sip_message.h). A
// response is parsed from a datagram and cut from a TCP stream; neither may
// crash, and what parses must hold together (a status in range, a body no
// longer than the input). The input is also read as a Digest challenge
// (channels/common/sip/sip_digest.h): what the answer echoes must stay one header
// line with balanced quotes.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "channels/common/sip/sip_client.h"
#include "channels/common/sip/sip_digest.h"
#include "channels/common/sip/sip_message.h"

using namespace lnotify::sip;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto r = parse_response(text)) {
    if (r->status < 100 || r->status > 699 || r->body.size() > size) std::abort();
    (void)r->top_via_branch();
    (void)r->cseq_method();
    if (auto after = r->retry_after_ms(); after && (*after < 0 || *after > 86400000)) std::abort();
    (void)outcome_of(*r, "fuzz");
  }
  if (auto length = framed_message_length(text); length && *length > size) std::abort();
  (void)parse_host_port(text);
  if (auto challenge = parse_digest_challenge(text)) {
    const std::string answer =
        digest_authorization(*challenge, {"user", "password"}, "MESSAGE", "sip:a@b", "c0ffee", "00000001");
    if (answer.find_first_of("\r\n") != std::string::npos ||
        std::count(answer.begin(), answer.end(), '"') % 2 != 0)
      std::abort();
  }
  return 0;
}

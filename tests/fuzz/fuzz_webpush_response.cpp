// Fuzz target: what a push service sends back reaches the Web Push driver
// as a status code, a Retry-After value and the start of a body; all three
// go through the answer mapping (and the endpoint parser, which reads what
// a client stored). First two bytes: the status code; then Retry-After and
// body, split at the first NUL.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "channels/webpush/webpush_response.h"
#include "lnotify/metadata/preferences.h"

using namespace lnotify;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  webpush::HttpResponse response;
  response.status = (data[0] << 8 | data[1]) % 1000;
  std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  size_t nul = rest.find('\0');
  response.retry_after = std::string(rest.substr(0, nul));
  if (nul != std::string_view::npos) response.body = std::string(rest.substr(nul + 1));
  response.location = response.body;
  const int64_t now_ms = 1700000000000;
  auto wait = webpush::parse_retry_after(response.retry_after, now_ms);
  if (wait && (*wait < 0 || *wait > webpush::kMaxRetryAfterMs)) __builtin_trap();
  auto outcome = webpush::outcome_for_response(response, now_ms);
  if (!outcome) {
    // the message goes to the log: one printable line
    for (char c : outcome.error().message)
      if (c == '\n' || c == '\r') __builtin_trap();
  }
  (void)parse_webpush_endpoint(rest);
  return 0;
}

// Fuzz target: what an HTTP SMS gateway answers (status, Retry-After, body)
// read by the SMS channel, Kannel's and the generic mapping, plus the
// gateway URL and template checks of the sms_* settings.
//
// Input: 2 octets of HTTP status (big-endian), then the Retry-After value
// up to the first NUL, then the body. Beyond not crashing, the target checks
// that success needs a 2xx status and that no message carries a control
// byte from the peer into the log.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "channels/sms/gateway_reply.h"
#include "channels/sms/sms_request.h"
#include "channels/sms/sms_config.h"

using namespace lnotify;

namespace {

void check(const Result<void>& outcome, long status) {
  if (outcome.has_value()) {
    if (status < 200 || status >= 300) abort();
    return;
  }
  for (unsigned char c : outcome.error().message)
    if (c < 0x20 || c == 0x7F) abort();
  if (outcome.error().retry_after_ms < 0 || outcome.error().retry_after_ms > 86400000) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  sms::GatewayReply reply;
  reply.status = (long{data[0]} << 8 | data[1]) % 1000;
  std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  size_t nul = rest.find('\0');
  reply.retry_after = std::string(rest.substr(0, nul));
  reply.location = reply.retry_after;
  reply.body = nul == std::string_view::npos ? std::string() : std::string(rest.substr(nul + 1));
  if (reply.body.size() > sms::kMaxReplyBody) reply.body.resize(sms::kMaxReplyBody);

  check(sms::interpret_kannel_reply(reply), reply.status);
  check(sms::interpret_generic_reply(reply), reply.status);
  (void)sms::retry_after_ms(reply.retry_after);

  // The same bytes as settings an administrator could write.
  (void)validate_gateway_url(rest);
  if (sms::validate_template_url(rest).has_value()) {
    SmsConfig config;
    config.gateway = SmsGatewayKind::Template;
    config.template_url = std::string(rest);
    (void)sms::template_request_url(config, "+15551234567", "lnotify",
                                    sms::text_message(reply.body));
  }
  return 0;
}

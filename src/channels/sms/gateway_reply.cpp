#include "channels/sms/gateway_reply.h"

#include <algorithm>

#include "core/text_util.h"

namespace lnotify::sms {
namespace {

// The first line of the body, cut and escaped for the log.
std::string first_line(std::string_view body) {
  size_t end = body.find_first_of("\r\n");
  std::string_view line = text::trim(body.substr(0, end));
  if (line.empty()) return "(empty body)";
  return text::quote_for_message(line, 120);
}

std::string describe(const GatewayReply& reply) {
  return "HTTP " + std::to_string(reply.status) + ": " + first_line(reply.body);
}

// Whatever a status says beyond success, the same for every gateway.
Result<void> by_status(const GatewayReply& reply) {
  const long s = reply.status;
  if (s >= 300 && s < 400) {
    // Redirects are never followed (the URL is the administrator's; a
    // redirect could send credentials elsewhere): the configuration needs
    // a look, and nothing is lost meanwhile.
    Error e = temporary_error("gateway answered HTTP " + std::to_string(s) +
                              " (redirect" +
                              (reply.location.empty()
                                   ? std::string()
                                   : " to " + text::quote_for_message(reply.location, 120)) +
                              "), which lnotify does not follow: check the gateway URL");
    return e;
  }
  if (s == 408 || s == 429 || s >= 500 || s < 100 || s >= 600) {
    Error e = temporary_error("gateway answered " + describe(reply));
    e.retry_after_ms = retry_after_ms(reply.retry_after);
    return e;
  }
  if (s == 413 || s == 414) {
    Error e = permanent_error("gateway refused the request as too large: " + describe(reply));
    e.too_large = true;
    return e;
  }
  if (s >= 400) return permanent_error("gateway refused the message: " + describe(reply));
  // What remains is 1xx: not a final answer, so the message may not have
  // been taken (found by fuzz_sms_reply: it counted as sent).
  return temporary_error("gateway answered " + describe(reply) + ", which is not a final answer");
}

}  // namespace

int64_t retry_after_ms(std::string_view value) {
  value = text::trim(value);
  if (!text::all_digits(value) || value.size() > 9) return 0;
  int64_t secs = 0;
  for (char c : value) secs = secs * 10 + (c - '0');
  return std::min<int64_t>(secs, 86400) * 1000;
}

Result<void> interpret_kannel_reply(const GatewayReply& reply) {
  if (reply.status < 200 || reply.status >= 300) return by_status(reply);
  // smsbox answers "<code>: <text>"; 0 (accepted) and 3 (queued, the
  // bearerbox stores it and sends later) both mean Kannel has it.
  std::string_view body = text::trim(reply.body);
  if (body.starts_with("0:") || body.starts_with("3:")) return {};
  return temporary_error("gateway answered " + describe(reply) +
                         ", which is not a Kannel sendsms acceptance (\"0: Accepted for "
                         "delivery\"): check sms_gateway_url");
}

Result<void> interpret_generic_reply(const GatewayReply& reply) {
  if (reply.status >= 200 && reply.status < 300) return {};
  return by_status(reply);
}

}  // namespace lnotify::sms

// The HTTP request that asks a gateway to send one SMS.
//
// Kannel's sendsms (smsbox) takes GET parameters: username, password, to,
// from, text (for binary SMS the user data, percent-encoded byte by byte),
// udh (binary, percent-encoded, with its length octet), coding (0: GSM
// 7-bit, 1: 8-bit binary, 2: UCS-2) and charset (of text).
//
// sms_gateway = template fills a URL with these placeholders, each
// percent-encoded unless it is hex or a number:
//   {to}         the E.164 number, "+15551234567"
//   {to_digits}  the same without "+", "15551234567"
//   {from}       the sender (may be empty)
//   {username} {password}
//   {text}       the text (UTF-8), or the binary user data
//   {text_hex}   the same bytes in hex
//   {udh}        the binary UDH (empty for text); {udh_hex} in hex
//   {coding}     0 (GSM 7-bit text), 1 (binary), 2 (UCS-2 text)
#pragma once

#include <string>
#include <string_view>

#include "lnotify/core/result.h"
#include "channels/sms/sms_config.h"

namespace lnotify::sms {

struct SmsMessage {
  std::string udh;   // binary SMS: UDH with its UDHL octet; text: empty
  std::string data;  // binary user data after the UDH, or UTF-8 text
  bool binary = false;
  unsigned coding = 0;  // 0 GSM 7-bit, 1 binary, 2 UCS-2
};

// A text SMS in the coding its characters need (GSM 7-bit when every
// character is in the GSM default alphabet or its extension, else UCS-2).
SmsMessage text_message(std::string_view utf8);

// How many concatenated SMS the gateway will need for a text message:
// 160 septets (or 70 UCS-2 units) in one, 153 (67) per part beyond.
unsigned text_parts(const SmsMessage& text);

// RFC 3986 percent-encoding of every octet but the unreserved ones.
std::string percent_encode(std::string_view bytes);

// The sendsms URL for one SMS to `to`.
std::string kannel_request_url(const SmsConfig& config, std::string_view to,
                               std::string_view from, const SmsMessage& message);

// The template with its placeholders filled.
std::string template_request_url(const SmsConfig& config, std::string_view to,
                                 std::string_view from, const SmsMessage& message);

// At start-up: only known placeholders, balanced braces, {to} present, and
// a URL around them that validate_gateway_url accepts.
Result<void> validate_template_url(std::string_view url);

// "host:port" of a gateway URL, for log lines (no path, no credentials).
std::string gateway_name(std::string_view url);

}  // namespace lnotify::sms

#include "lnotify/metadata/deltachat.h"

#include "lnotify/metadata/preferences.h"
#include "core/text_util.h"

namespace lnotify::deltachat {
namespace {

bool loopback_host(std::string_view host) {
  return text::iequals(host, "localhost") || host == "::1" || host.starts_with("127.");
}

}  // namespace

Result<void> validate_token(std::string_view token) {
  if (token.empty()) return permanent_error("the device token is empty");
  if (token.size() > kMaxTokenBytes)
    return permanent_error("the device token is " + std::to_string(token.size()) +
                           " bytes, at most " + std::to_string(kMaxTokenBytes) + " are accepted");
  for (size_t i = 0; i < token.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(token[i]);
    if (c < 0x20 || c > 0x7e)
      return permanent_error("the device token has a byte that is not printable ASCII (0x" +
                             text::to_hex(std::string_view(token.data() + i, 1)) + " at offset " +
                             std::to_string(i) + ")");
  }
  return {};
}

std::string token_id(std::string_view token) {
  uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (unsigned char c : token) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(hash >> (56 - 8 * i));
  return text::to_hex(bytes);
}

std::string token_label(std::string_view token) { return "deltachat:" + token_id(token); }

std::string queue_key(std::string_view token, std::string_view account) {
  return token_label(token) + ":" + std::string(account);
}

std::string_view queue_key_account(std::string_view key) {
  constexpr size_t kPrefix = sizeof("deltachat:") - 1 + 16 + 1;
  if (key.size() <= kPrefix || !key.starts_with("deltachat:") || key[kPrefix - 1] != ':')
    return {};
  return key.substr(kPrefix);
}

std::string gone_key(std::string_view account) { return "deltachat:" + std::string(account); }

Result<std::string> check_notifier_url(std::string_view url) {
  auto parsed = parse_webpush_endpoint(url);
  if (!parsed)
    return permanent_error("not an http(s) URL: " + text::quote_for_message(url, 200) + " (" +
                           parsed.error().message + ")");
  if (!parsed->https && !loopback_host(parsed->host))
    return permanent_error("plain http:// only to a loopback host (a local notifier); use "
                           "https:// for " + text::quote_for_message(parsed->host));
  return parsed->host;
}

}  // namespace lnotify::deltachat

#include "channels/common/sip/sip_digest.h"

#include <openssl/evp.h>

#include "core/text_util.h"

namespace lnotify::sip {
namespace {

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-.!%*_+`'~").find(c) !=
                                                            std::string_view::npos;
}

// Safe to put back between quotes in a header we build.
bool can_echo(std::string_view value) {
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') return false;
  }
  return true;
}

std::string hex_digest(const EVP_MD* md, std::string_view text) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), out, &len, md, nullptr);
  return text::to_hex(std::string_view(reinterpret_cast<const char*>(out), len));
}

}  // namespace

Result<DigestChallenge> parse_digest_challenge(std::string_view value) {
  value = text::trim(value);
  if (value.size() < 7 || !text::iequals(value.substr(0, 6), "Digest") ||
      (value[6] != ' ' && value[6] != '\t'))
    return permanent_error("not a Digest challenge: " + text::quote_for_message(value, 80));
  DigestChallenge challenge;
  bool has_qop = false;
  std::string qop;
  size_t i = 6;
  // auth-param *( "," auth-param ), auth-param = token "=" ( token / quoted-string )
  while (i < value.size()) {
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t' || value[i] == ',')) ++i;
    if (i >= value.size()) break;
    const size_t name_start = i;
    while (i < value.size() && is_token_char(value[i])) ++i;
    const std::string_view name = value.substr(name_start, i - name_start);
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    if (name.empty() || i >= value.size() || value[i] != '=')
      return permanent_error("malformed Digest challenge near " +
                             text::quote_for_message(value.substr(name_start), 40));
    ++i;
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    std::string param;
    if (i < value.size() && value[i] == '"') {
      ++i;
      bool closed = false;
      while (i < value.size()) {
        char c = value[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i < value.size()) c = value[i++];
        param += c;
      }
      if (!closed) return permanent_error("Digest challenge has an unterminated quoted string");
    } else {
      const size_t start = i;
      while (i < value.size() && is_token_char(value[i])) ++i;
      param = std::string(value.substr(start, i - start));
    }
    if (text::iequals(name, "realm")) challenge.realm = std::move(param);
    else if (text::iequals(name, "nonce")) challenge.nonce = std::move(param);
    else if (text::iequals(name, "opaque")) challenge.opaque = std::move(param);
    else if (text::iequals(name, "algorithm")) challenge.algorithm = std::move(param);
    else if (text::iequals(name, "stale")) challenge.stale = text::iequals(param, "true");
    else if (text::iequals(name, "qop")) {
      has_qop = true;
      qop = std::move(param);
    }
  }
  if (challenge.nonce.empty()) return permanent_error("Digest challenge without a nonce");
  if (!can_echo(challenge.realm) || !can_echo(challenge.nonce) || !can_echo(challenge.opaque))
    return permanent_error("Digest challenge with characters that cannot be sent back");
  if (challenge.algorithm.empty() || text::iequals(challenge.algorithm, "MD5"))
    challenge.algorithm = "MD5";
  else if (text::iequals(challenge.algorithm, "SHA-256"))
    challenge.algorithm = "SHA-256";
  else
    return permanent_error("Digest algorithm " + text::quote_for_message(challenge.algorithm) +
                           " is not supported (MD5 and SHA-256 are)");
  if (has_qop) {
    // a comma-separated list of qop values; "auth" is the one we can do
    size_t pos = 0;
    while (pos <= qop.size()) {
      size_t comma = qop.find(',', pos);
      if (comma == std::string::npos) comma = qop.size();
      if (text::iequals(text::trim(std::string_view(qop).substr(pos, comma - pos)), "auth"))
        challenge.qop_auth = true;
      pos = comma + 1;
    }
    if (!challenge.qop_auth)
      return permanent_error("Digest qop " + text::quote_for_message(qop) +
                             " is not supported (auth is)");
  }
  return challenge;
}

std::string digest_authorization(const DigestChallenge& c, const DigestCredentials& credentials,
                                 std::string_view method, std::string_view uri,
                                 std::string_view cnonce, std::string_view nonce_count) {
  const EVP_MD* md = c.algorithm == "SHA-256" ? EVP_sha256() : EVP_md5();
  auto join = [](std::initializer_list<std::string_view> parts) {
    std::string out;
    for (std::string_view p : parts) {
      if (!out.empty()) out += ':';
      out += p;
    }
    return out;
  };
  // RFC 2617 §3.2.2.1-3: A1 = user:realm:password, A2 = method:uri
  const std::string ha1 = hex_digest(md, join({credentials.username, c.realm, credentials.password}));
  const std::string ha2 = hex_digest(md, join({method, uri}));
  const std::string response =
      c.qop_auth ? hex_digest(md, join({ha1, c.nonce, nonce_count, cnonce, "auth", ha2}))
                 : hex_digest(md, join({ha1, c.nonce, ha2}));
  std::string out = "Digest username=\"" + credentials.username + "\", realm=\"" + c.realm +
                    "\", nonce=\"" + c.nonce + "\", uri=\"" + std::string(uri) +
                    "\", response=\"" + response + "\", algorithm=" + c.algorithm;
  if (c.qop_auth)
    out += ", cnonce=\"" + std::string(cnonce) + "\", qop=auth, nc=" + std::string(nonce_count);
  if (!c.opaque.empty()) out += ", opaque=\"" + c.opaque + "\"";
  return out;
}

}  // namespace lnotify::sip

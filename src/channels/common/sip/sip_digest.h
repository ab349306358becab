// SIP digest authentication (RFC 3261 §22, which takes HTTP digest from
// RFC 2617; SHA-256 per RFC 8760): a registrar or outbound proxy that
// answers 401 (WWW-Authenticate) or 407 (Proxy-Authenticate) with a Digest
// challenge gets the request again with the credentials the administrator
// configured (sip_username, sip_password). No network here.
#pragma once

#include <string>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify::sip {

struct DigestChallenge {
  std::string realm;
  std::string nonce;
  std::string opaque;          // echoed back when present
  std::string algorithm;       // "MD5" (also when absent) or "SHA-256"
  bool qop_auth = false;       // the challenge offers qop "auth"
  bool stale = false;          // the nonce expired; the credentials were fine
};

// The value of a WWW-Authenticate or Proxy-Authenticate header:
//   Digest realm="example.org", nonce="…", qop="auth,auth-int", algorithm=MD5
// Only Digest with MD5 or SHA-256 and qop "auth" or none is usable; other
// challenges are errors that say why. Values with characters a header
// cannot carry back (quotes, backslashes, controls) are refused.
Result<DigestChallenge> parse_digest_challenge(std::string_view header_value);

struct DigestCredentials {
  std::string username;
  std::string password;
};

// The Authorization (or Proxy-Authorization) value answering challenge for
// a request of method to uri. cnonce and nonce_count ("00000001") are used
// only when the challenge offers qop=auth.
std::string digest_authorization(const DigestChallenge& challenge,
                                 const DigestCredentials& credentials, std::string_view method,
                                 std::string_view uri, std::string_view cnonce,
                                 std::string_view nonce_count);

}  // namespace lnotify::sip

// Provision values (draft §11.2) that the dispatcher publishes and the mail
// plugin serves as read-only server METADATA. The dispatcher alone knows which
// channels run and holds the keys; it writes their public description to
// <spool>/provision at start, so IMAP never needs the dispatcher's
// configuration file (which holds secrets).
#pragma once

#include <string>

#include "lnotify/core/result.h"

namespace lnotify {

struct Provision {
  std::string channels;    // "NONE UDP=WAKEUP UDP=EXTENDED"
  std::string credential;  // the server's identity (and key, once signing exists)
  std::string security;    // payload protections, e.g. "aes128gcm ed25519"
  std::string vapid_key;   // Web Push VAPID public key (base64url), when configured
  // allowed_destinations, so SETMETADATA refuses what the dispatcher would
  std::string destinations;
  // Server-to-server targets and the events each wants, "NAME=Ev,Ev ..."
  // (s2s_provision); no URLs, no secrets.
  std::string s2s;
  std::string mwi_mailboxes;  // s2s_mwi_mailboxes
  // webpush_allow_http_hosts, so SETMETADATA accepts http:// endpoints
  // exactly where the dispatcher would send to them
  std::string webpush_http_hosts;
  // "yes" when the DELTACHAT channel runs (XDELTAPUSH, /private/devicetoken)
  std::string deltachat;
  // deltachat_maxsmtprecipients, served as
  // /shared/vendor/deltachat/maxsmtprecipients; empty: not served
  std::string deltachat_max_smtp_recipients;
};

std::string encode_provision(const Provision& provision);
Result<Provision> decode_provision(std::string_view text);

// Atomically replaces <spool_dir>/provision (mode 0644).
Result<void> write_provision(const std::string& spool_dir, const Provision& provision);
Result<Provision> read_provision(const std::string& spool_dir);

}  // namespace lnotify

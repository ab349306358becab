// Server-to-server notifications (draft §14): targets the administrator
// configures in lnotify-dispatch.conf, what the mail plugin learns of them
// through the published provision, and the JSON binding of a request
// (lnotify's notification protocol, draft §14.5.2; README
// "Server-to-server notifications").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lnotify/request/notification.h"
#include "lnotify/payload/payload.h"
#include "lnotify/core/result.h"

namespace lnotify {

// The event name a target lists to receive MWI updates.
inline constexpr std::string_view kMwiEventName = "MWI";

// One "s2s_target = NAME key=value ..." line, an HTTP target:
//   url=http(s)://...      where requests are POSTed
//   secret_file=/path      HMAC-SHA256 key (required; not world-readable)
//   events=A,B,...         RFC 5423 names and/or MWI; default: the §14.4 set
//   client_cert=/path      TLS client certificate (PEM), with client_key=
//   client_key=/path
//   ca_file=/path          CA bundle to verify the target with
//   timeout=N              seconds for one request (1 to 120, default 10)
// or a SIP MWI target (RFC 3842 message-summary NOTIFY; MWI updates only):
//   sip=sip:user@host[:port][;transport=tcp]
//   events=MWI             the default, and the only event it takes
// A target has exactly one of url= and sip=. The SIP host is the
// administrator's choice, trusted like url=: allowed_destinations is the
// policy for destinations users choose and does not apply.
struct S2sTarget {
  std::string name;
  std::string url;
  std::string sip;  // the MWI target's sip: URI; empty for an HTTP target
  std::vector<std::string> events;
  std::string secret_file;
  std::string client_cert;
  std::string client_key;
  std::string ca_file;
  unsigned timeout_secs = 10;
  std::string secret;  // read from secret_file at start-up (load_s2s_secret)

  bool wants(std::string_view event) const;
  bool is_sip() const { return !sip.empty(); }
};

// The §14.4 events (new message, login, logout, read, delete, purge,
// mailbox full and its cancellation) in RFC 5423 names.
const std::vector<std::string>& default_s2s_events();

Result<S2sTarget> parse_s2s_target(std::string_view value);
// Reads the target's secret; refuses a file others may read. Nothing to
// read for a SIP target.
Result<void> load_s2s_secret(S2sTarget& target);

// The provision value the mail plugin reads: "NAME=Ev,Ev NAME2=Ev,MWI".
std::string s2s_provision(const std::vector<S2sTarget>& targets);

// The request's JSON body (doc/server-to-server.md).
// message_url: the RFC 5092 imap:// URL of the message, empty when none.
std::string encode_s2s_json(const NotificationRequest& request, const PayloadOptions& options);
inline constexpr std::string_view kS2sJsonContentType = "application/json";

// The RFC 5092 URL of the request's message (imap://user@host/mailbox;
// UIDVALIDITY=n/;UID=m), or of its mailbox when it names no message; empty
// without imap_host.
std::string s2s_message_url(const NotificationRequest& request, const PayloadOptions& options);

// The signature header value "v1=<hex HMAC-SHA256(secret, id "." timestamp
// "." body)>".
std::string s2s_signature(std::string_view secret, std::string_view id, int64_t timestamp,
                          std::string_view body);

}  // namespace lnotify

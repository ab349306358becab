// The dispatcher's own configuration file. It is separate from dovecot.conf on
// purpose: it will hold gateway credentials and keys, and dovecot.conf's
// plugin settings are readable by every mail process.
//
// Format: "key = value" lines, '#' starts a comment. Unknown keys are an error,
// so a typo fails at start-up instead of silently doing nothing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lnotify/dispatcher/dispatch_policy.h"
#include "lnotify/payload/payload.h"
#include "lnotify/metadata/preferences.h"
#include "lnotify/core/result.h"
#include "lnotify/payload/s2s.h"
#include "channels/sms/sms_config.h"
#include "channels/xmpp/xmpp_config.h"
#include "channels/deltachat/deltachat_config.h"

namespace lnotify {

struct DispatcherConfig {
  std::string spool_dir = "/var/spool/lnotify";
  // The dispatcher's own state (sequence-ids, the ledger, daily counts);
  // must exist and belong to the dispatcher's user.
  std::string state_dir = "/var/lib/lnotify";
  unsigned scan_interval_secs = 30;  // safety net besides the FIFO wake-ups
  // unanswered_limit, wakeup_interval, rate_limit, coalesce, retry_base,
  // retry_max, expire (README "Dispatcher").
  DispatchPolicy policy;
  std::vector<ChannelKind> channels{ChannelKind::Udp};
  // Who sends the notifications (draft §11.2 "credential.priv": "the source
  // address or identity of the server"); empty means the host name.
  std::string identity;
  // Where users may send notifications (destination_policy.h); the
  // default, empty, allows no user-chosen destination at all.
  std::string allowed_destinations;
  // Payloads (README "Payload formats"):
  MailboxUriStyle mailbox_uri = MailboxUriStyle::Mailat;  // mailbox_uri = mailat | imap
  std::string imap_host;  // host[:port] of imap:// URLs; required with mailbox_uri = imap
  UdpWakeupForm udp_payload = UdpWakeupForm::Xml;         // udp_payload = xml | wsp
  // xmpp_payload = xml | json: XMPP carries the draft's EMN / xemn XML, or
  // (an explicit choice) lnotify's JSON binding of them.
  XmppPayloadForm xmpp_payload = XmppPayloadForm::Xml;
  std::string signing_key;  // absolute path of an Ed25519 PEM key; empty: no signatures
  // Server-to-server targets (draft §14; s2s.h), one "s2s_target = ..."
  // line each; with any, the HTTP channel runs and imap_host is required
  // (requests carry imap:// URLs). Secrets are read by make_channel.
  std::vector<S2sTarget> s2s_targets;
  // Mailboxes whose unseen messages make the MWI state ON (the plugin
  // computes it, so it is published in the provision).
  std::string s2s_mwi_mailboxes = "INBOX";
  SmsConfig sms;            // sms_* settings (README "SMS channel (Kannel)")
  XmppConfig xmpp;          // xmpp_* (README "XMPP channel")
  DeltaChatConfig deltachat;  // deltachat_* (doc/channels/deltachat.md)
  // SIP channel (README "SIP channel"):
  std::string sip_outbound_proxy;  // host[:port]; empty: straight to the URI's host
  unsigned sip_workers = 4;        // sends in flight at once
  unsigned sip_t1_ms = 500;        // RFC 3261 T1 (Timer F = 64*T1); lower only for tests
  std::string sip_username;        // Digest credentials for a proxy or peer that
  std::string sip_password;        //   challenges (401/407); both or neither
  // Web Push (README "Web Push channel"); the key and subject are required
  // when WEBPUSH is among the channels.
  std::string webpush_vapid_key;  // absolute path of a P-256 PEM private key
  std::string webpush_subject;    // RFC 8292 contact: mailto:... or https://...
  unsigned webpush_ttl_secs = 86400;
  unsigned webpush_timeout_secs = 10;
  bool webpush_json = false;  // webpush_payload = xml | json
  std::vector<std::string> webpush_allow_http_hosts;  // exact hosts reachable over plain http
};

Result<DispatcherConfig> parse_dispatcher_config(std::string_view text);
Result<DispatcherConfig> load_dispatcher_config(const std::string& path);

// The payload settings in force: loads the signing key, so an unreadable or
// wrong key stops the dispatcher at start-up rather than at the first mail.
Result<PayloadOptions> make_payload_options(const DispatcherConfig& config);

}  // namespace lnotify

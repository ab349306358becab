// The dispatcher's own configuration file. It is separate from dovecot.conf on
// purpose: it holds gateway credentials and keys, and dovecot.conf's
// plugin settings are readable by every mail process.
//
// Format: "key = value" lines, '#' starts a comment. The general settings
// are read here; every other key belongs to a channel driver, which checks
// it (channels/common/channel_driver.h). Unknown keys are an error, so a
// typo fails at start-up instead of silently doing nothing.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "channels/common/channel_driver.h"
#include "lnotify/core/result.h"
#include "lnotify/dispatcher/dispatch_policy.h"
#include "lnotify/metadata/preferences.h"
#include "lnotify/payload/payload.h"
#include "service/registry.h"

namespace lnotify {

struct DispatcherConfig {
  std::string spool_dir = "/var/spool/lnotify";
  // The dispatcher's own state (sequence-ids, the ledger, daily counts);
  // must exist and belong to the dispatcher's user.
  std::string state_dir = "/var/lib/lnotify";
  unsigned scan_interval_secs = 30;  // safety net besides the FIFO wake-ups
  // unanswered_limit, wakeup_interval, rate_limit, coalesce, retry_base,
  // retry_max, expire (doc/dispatcher.md).
  DispatchPolicy policy;
  std::vector<ChannelKind> channels{ChannelKind::Udp};
  // Who sends the notifications (draft §11.2 "credential.priv": "the source
  // address or identity of the server"); empty means the host name.
  std::string identity;
  // Where users may send notifications (destination_policy.h); the
  // default, empty, allows no user-chosen destination at all.
  std::string allowed_destinations;
  // Payloads (doc/payloads.md):
  MailboxUriStyle mailbox_uri = MailboxUriStyle::Mailat;  // mailbox_uri = mailat | imap
  std::string imap_host;  // host[:port] of imap:// URLs; required with mailbox_uri = imap
  UdpWakeupForm udp_payload = UdpWakeupForm::Xml;         // udp_payload = xml | wsp
  // xmpp_payload = xml | json: XMPP carries the draft's EMN / xemn XML, or
  // (an explicit choice) lnotify's JSON binding of them.
  XmppPayloadForm xmpp_payload = XmppPayloadForm::Xml;
  bool webpush_json = false;  // webpush_payload = xml | json: JSON only as an explicit choice
  std::string signing_key;  // absolute path of an Ed25519 PEM key; empty: no signatures
  // One per row of the driver table, holding that driver's settings.
  std::vector<channels::ChannelDriverPtr> drivers;

  // The driver of a channel (null when this build has none).
  const channels::ChannelDriver* driver(ChannelKind kind) const;
  template <typename Driver>
  const Driver* driver_as(ChannelKind kind) const {
    return dynamic_cast<const Driver*>(driver(kind));
  }
  // Whether a channel is to run: listed in channels, or configured for
  // those that run unlisted (HTTP with server-to-server targets).
  bool runs(const channels::ChannelDriver& driver) const;
  // The general settings as the drivers see them.
  channels::DriverContext driver_context() const;
};

Result<DispatcherConfig> parse_dispatcher_config(std::string_view text,
                                                 std::span<const DriverFactory> drivers = channel_drivers());
Result<DispatcherConfig> load_dispatcher_config(const std::string& path);

// The payload settings in force: loads the signing key, so an unreadable or
// wrong key stops the dispatcher at start-up rather than at the first mail.
Result<PayloadOptions> make_payload_options(const DispatcherConfig& config);

}  // namespace lnotify

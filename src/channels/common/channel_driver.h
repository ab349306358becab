// What each channel driver (a folder of src/channels/) gives the dispatcher
// service: its settings and how to make its channel. The service keeps a
// table of drivers (service/registry.cpp) and asks each in turn; nothing
// outside a driver's folder knows its settings, so adding a channel is one
// folder and one row of that table.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "lnotify/core/result.h"
#include "lnotify/dispatcher/channel.h"
#include "lnotify/metadata/destination_policy.h"
#include "lnotify/payload/payload.h"
#include "lnotify/spool/provision.h"

namespace lnotify::channels {

// The dispatcher's general settings a driver may use.
struct DriverContext {
  // draft §11.2 credential.priv: "the source address or identity of the
  // server" (identity, or the host name when unset)
  std::string identity;
  std::string configured_identity;   // identity as written; empty when unset
  std::string allowed_destinations;  // as written; each channel parses its own copy
  MailboxUriStyle mailbox_uri = MailboxUriStyle::Mailat;
  std::string imap_host;  // host[:port] of imap:// URLs; may be empty

  // allowed_destinations parsed (checked when the file was read)
  Result<DestinationPolicy> destination_policy() const;
  // How the driver's own payloads name the mailbox (no signer).
  PayloadOptions wakeup_options() const;
};

class ChannelDriver {
 public:
  virtual ~ChannelDriver() = default;
  virtual ChannelKind kind() const = 0;
  // One "key = value" line of lnotify-dispatch.conf: true when the key is
  // one of this driver's settings (then the value is checked now, so a bad
  // one stops the start), false when it is not. Several drivers may share a
  // key (the SIP client's settings serve sip and server-to-server MWI).
  virtual Result<bool> configure(std::string_view key, std::string_view value) {
    (void)key, (void)value;
    return false;
  }
  // After the whole file. enabled: the channel is to run (listed in
  // channels, or configured for those that are not listed).
  virtual Result<void> check(const DriverContext& context, bool enabled) const {
    (void)context, (void)enabled;
    return {};
  }
  // Whether the channel runs without being listed in channels (HTTP runs
  // when server-to-server targets are configured).
  virtual bool runs_unlisted() const { return false; }
  // Whether clients choose the channel in /private/notify/outband/channel
  // (the provision offers it there).
  virtual bool chosen_by_clients() const { return true; }
  // Whether the channel sends this format as asked (the provision offers
  // only what is delivered: draft §11.2).
  virtual bool delivers(PayloadFormat format) const {
    (void)format;
    return true;
  }
  // Reads its keys and secrets and makes the channel (start-up).
  virtual Result<ChannelPtr> make(const DriverContext& context) const = 0;
  // What clients learn of this channel through the provision entries
  // (draft §11.2), when it runs.
  virtual Result<void> describe(Provision& provision) const {
    (void)provision;
    return {};
  }
};
using ChannelDriverPtr = std::unique_ptr<ChannelDriver>;

}  // namespace lnotify::channels

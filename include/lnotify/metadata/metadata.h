// lnotify's METADATA schema (draft §11 in RFC 5464 names, doc/metadata.md) and
// the validation of client writes. The Dovecot glue asks this module about
// every write under /private/notify, /shared/notify and /private/filters;
// Dovecot-specific checks (search programs) stay in the glue.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lnotify/metadata/preferences.h"
#include "lnotify/core/result.h"

namespace lnotify {

enum class EntryScope { Mailbox, Server };  // a mailbox's entry, or the server's ("")

enum class EntryRole {
  Preference,     // written by the client (draft §11.3)
  Provision,      // served by the server, read-only (draft §11.2)
  DeviceKey,      // written by the client on the server entry
  FilterProgram,  // RFC 5466 named search, /private/filters/values/<name>
};

struct MetadataEntry {
  std::string_view name;  // RFC 5464 entry name; a trailing '/' is a prefix
  EntryScope scope;
  EntryRole role;
  std::string_view allowed;  // what a value may be, in words, for errors and docs
};

std::span<const MetadataEntry> metadata_schema();

// True when lnotify owns the name (it lies under one of lnotify's trees),
// whether or not it is a known entry.
bool is_lnotify_entry_name(std::string_view name);

// The schema entry for a name (case-insensitive), or null.
const MetadataEntry* find_metadata_entry(EntryScope scope, std::string_view name);

struct MetadataWriteContext {
  // The server's provision value "NONE *(SP channel=format)"; only these
  // channel choices are accepted.
  std::string offered_channels;
  // The mailbox's current channel, to check an address against.
  std::optional<ChannelKind> current_channel;
  // The dispatcher's allowed_destinations (destination_policy.h).
  std::string allowed_destinations;
  // The dispatcher's webpush_allow_http_hosts: hosts whose Web Push
  // endpoint may be plain http:// (space-separated, exact names).
  std::string webpush_http_hosts;
};

// Checks a client's write of value to name in scope (nullopt: removal).
// Refuses read-only entries, unknown names in lnotify's trees and values
// that do not parse; the message names the entry and says what is allowed.
Result<void> check_metadata_write(EntryScope scope, std::string_view name,
                                  std::optional<std::string_view> value,
                                  const MetadataWriteContext& context);

// Channel/format pairs of a provision value ("NONE UDP=WAKEUP ...").
// An IMAP WEBPUSH subscription (doc/webpush.md): the endpoint as a Web Push
// address is checked (syntax, length, plain http, allowed destinations),
// and the device's keys as /private/notify/security/{p256dh,auth} are.
Result<void> check_webpush_subscription(std::string_view endpoint, std::string_view p256dh,
                                        std::string_view auth,
                                        const MetadataWriteContext& context);

Result<std::vector<ChannelChoice>> parse_offered_channels(std::string_view value);
// The provision value for the channels a dispatcher runs: every format of each.
std::string offered_channels_value(const std::vector<ChannelKind>& channels);
// The same, offering only the formats delivers(channel, format) says the
// running channel sends as such (draft §11.2: what the server supports).
std::string offered_channels_value(const std::vector<ChannelKind>& channels,
                                   bool (*delivers)(const void* context, ChannelKind,
                                                    PayloadFormat),
                                   const void* context);

}  // namespace lnotify

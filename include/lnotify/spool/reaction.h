// A client's reaction to outband notifications (draft §10: "the server MUST
// keep track of the outband notifications that are sent via NF, until the
// MUA react to them"). lnotify counts an IMAP login and the selection of a
// mailbox as a reaction: either means the client is looking at the mailbox
// store again. The mail plugin hands reactions to the dispatcher through the
// spool, like notification requests, so they keep their order with them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify {

struct ClientReaction {
  // The account (user@domain) the ledger is keyed by: the same name a
  // request's "account" carries, whatever name the session logged in with.
  std::string account;
  int64_t timestamp = 0;  // seconds since the epoch (UTC)
  std::string how;        // "login" or "select", for the log
};

// Record form: "lnotify-reaction 1", the fields, "end" (as requests).
std::string encode_reaction(const ClientReaction& reaction);
Result<ClientReaction> decode_reaction(std::string_view record);
// Whether a spool record is a reaction rather than a notification request.
bool is_reaction_record(std::string_view record);

}  // namespace lnotify

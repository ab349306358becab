// Message-waiting indication over SIP: an RFC 3842 "message-summary"
// NOTIFY (draft §14, issue 13). The server-to-server notifier calls
// send_message_summary() for each MWI target when a user's state changes;
// every NOTIFY carries the full state, so a lost one is repaired by the
// next.
//
// The NOTIFY is unsolicited (sent outside a subscription dialog), as MWI
// servers commonly do towards configured targets: it carries the
// Event, Subscription-State and Contact headers of RFC 6665 §8.1.2 / §4.1.2.
#pragma once

#include <optional>
#include <string>

#include "channels/common/sip/sip_client.h"

namespace lnotify::sip {

// RFC 3842 §5.2: msg-summary-line = message-context-class HCOLON newmsgs
// SLASH oldmsgs [ LPAREN new-urgentmsgs SLASH old-urgentmsgs RPAREN ];
// the classes are those of RFC 3458 §6.2.
enum class MessageContextClass { Voice, Fax, Pager, Multimedia, Text, None };

struct MessageCounts {
  MessageContextClass context = MessageContextClass::Text;  // e-mail is text
  unsigned new_messages = 0;  // unseen
  unsigned old_messages = 0;  // seen
  std::optional<std::pair<unsigned, unsigned>> urgent;  // (new, old) urgent ones
};

struct MessageSummary {
  bool messages_waiting = false;  // Messages-Waiting: yes / no
  std::string message_account;    // an imap:// URL (RFC 5092); empty: no Message-Account
  std::optional<MessageCounts> counts;
};

// The application/simple-message-summary body, e.g.
//   Messages-Waiting: yes
//   Message-Account: imap://alice@mail.example.org/INBOX
//   Text-Message: 2/8 (1/0)
std::string message_summary_body(const MessageSummary& summary);

// Sends one NOTIFY to target_uri (a sip: URI naming the MWI target) and
// maps its final response with outcome_of(): 2xx is the acknowledgement,
// 4xx (but 408/480/486/491) is a request error not to be repeated, the
// rest may be retried (Error.retry_after_ms holds a Retry-After).
// subscription_state is the Subscription-State value: "active;expires=N",
// or "terminated;reason=noresource" when the target is being removed.
Result<void> send_message_summary(Client& client, const std::string& target_uri,
                                  const MessageSummary& summary,
                                  const std::string& subscription_state = "active");

inline constexpr const char* kMessageSummaryType = "application/simple-message-summary";

}  // namespace lnotify::sip

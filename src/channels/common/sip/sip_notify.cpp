#include "channels/common/sip/sip_notify.h"

namespace lnotify::sip {
namespace {

// RFC 3842 §5.2 writes the classes capitalised in its examples
// ("Voice-Message: 4/8 (1/2)"); the header names are case-insensitive.
const char* class_name(MessageContextClass c) {
  switch (c) {
    case MessageContextClass::Voice: return "Voice-Message";
    case MessageContextClass::Fax: return "Fax-Message";
    case MessageContextClass::Pager: return "Pager-Message";
    case MessageContextClass::Multimedia: return "Multimedia-Message";
    case MessageContextClass::Text: return "Text-Message";
    case MessageContextClass::None: return "None";
  }
  return "None";
}

// Header values built here must not break the message: no CR, LF or NUL.
bool one_line(const std::string& s) { return s.find_first_of(std::string("\r\n\0", 3)) == std::string::npos; }

}  // namespace

std::string message_summary_body(const MessageSummary& s) {
  std::string body = std::string("Messages-Waiting: ") + (s.messages_waiting ? "yes" : "no") + "\r\n";
  if (!s.message_account.empty()) body += "Message-Account: " + s.message_account + "\r\n";
  if (s.counts) {
    body += std::string(class_name(s.counts->context)) + ": " +
            std::to_string(s.counts->new_messages) + "/" + std::to_string(s.counts->old_messages);
    if (s.counts->urgent)
      body += " (" + std::to_string(s.counts->urgent->first) + "/" +
              std::to_string(s.counts->urgent->second) + ")";
    body += "\r\n";
  }
  return body;
}

Result<void> send_message_summary(Client& client, const std::string& target_uri,
                                  const MessageSummary& summary,
                                  const std::string& subscription_state) {
  auto target = parse_sip_address(target_uri);
  if (!target) return permanent_error("MWI target: " + target.error().message);
  if (!one_line(summary.message_account) || !one_line(subscription_state) ||
      subscription_state.empty())
    return permanent_error("MWI: Message-Account and Subscription-State must be one line");
  Outgoing out;
  out.method = "NOTIFY";
  out.target = std::move(*target);
  out.target_uri = target_uri;
  const std::string& id = client.settings().identity;
  out.extra_headers = {
      {"Event", "message-summary"},
      {"Subscription-State", subscription_state},
      {"Contact", "<sip:" + (id.find('@') == std::string::npos ? "lnotify@" + id : id) + ">"},
  };
  out.content_type = kMessageSummaryType;
  out.body = message_summary_body(summary);
  auto response = client.send(out);
  if (!response) return response.error();
  return outcome_of(*response, target_uri);
}

}  // namespace lnotify::sip

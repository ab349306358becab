#include "channels/http/http_channel.h"

#include <ctime>

#include "core/text_util.h"

namespace lnotify::http {
namespace {

// An answer's text in a log line: printable and short.
std::string excerpt(const std::string& body) {
  return text::quote_for_message(text::trim(body), 200);
}

}  // namespace

Result<void> classify_http_response(const HttpResponse& r, const std::string& target) {
  const std::string what = "target " + target + " answered HTTP " + std::to_string(r.status);
  const std::string said = r.body.empty() ? "" : ": " + excerpt(r.body);
  if (r.status >= 200 && r.status <= 299) return {};
  // Draft §14.5.3: a request error is the content's fault; sending the same
  // content again cannot help. 408 (timeout) and 429 (too many requests)
  // are the target's state, not the request's.
  if (r.status >= 400 && r.status <= 499 && r.status != 408 && r.status != 429) {
    Error error = permanent_error("request error: " + what + said);
    error.too_large = r.status == 413;
    return error;
  }
  Error error = temporary_error(what + said);
  if (r.status >= 300 && r.status <= 399)
    error.message += " (a redirect" + (r.location.empty() ? std::string() : " to " +
                     text::quote_for_message(r.location, 200)) +
                     ", not followed: fix the target's url)";
  if (r.retry_after_secs > 0) {
    // Bounded: a peer cannot park the queue for longer than a day.
    const int64_t secs = std::min<int64_t>(r.retry_after_secs, 86400);
    error.retry_after_ms = secs * 1000;
    error.message += " (Retry-After: " + std::to_string(secs) + " s)";
  }
  return error;
}

sip::MessageSummary mwi_message_summary(const NotificationRequest& r,
                                        const std::string& imap_host) {
  sip::MessageSummary summary;
  // Draft §14.4: the indicator is ON while unread messages wait, OFF once
  // all are read.
  summary.messages_waiting = r.unseen > 0;
  PayloadOptions options;
  options.imap_host = imap_host;
  NotificationRequest account = r;
  account.mwi = true;  // the account's URL, not a message's
  // The same account whichever session changed the state: LMTP names the
  // user as the recipient address, an IMAP login maybe without @domain;
  // the account (user@lnotify_mailat_domain) is the same for both.
  if (!r.account.empty()) account.user = r.account;
  summary.message_account = s2s_message_url(account, options);
  sip::MessageCounts counts;  // RFC 3842 §5.2: newmsgs SLASH oldmsgs
  counts.context = sip::MessageContextClass::Text;
  counts.new_messages = r.unseen;
  counts.old_messages = r.messages > r.unseen ? r.messages - r.unseen : 0;
  summary.counts = counts;
  return summary;
}

HttpChannel::HttpChannel(std::map<std::string, S2sTarget> targets, HttpTransportPtr transport,
                         unsigned workers, SipMwiSender sip)
    : BlockingChannel(workers),
      targets_(std::move(targets)),
      transport_(std::move(transport)),
      sip_(std::move(sip)) {}

Result<void> HttpChannel::notify_sip(const S2sTarget& target, const NotificationRequest& request) {
  if (!request.mwi)
    return permanent_error("request error: target " + target.name +
                           " is a sip= target and takes MWI updates only");
  if (!sip_.client) return permanent_error("target " + target.name + ": no SIP client configured");
  auto sent = send_message_summary(*sip_.client, target.sip,
                                   mwi_message_summary(request, sip_.imap_host));
  if (sent) return {};
  // The same words as an HTTP target's answers in the log (README
  // "Server-to-server notifications"): a permanent SIP failure is a
  // request error, never repeated.
  Error error = sent.error();
  error.message = (!error.temporary() ? "request error: target " : "target ") + target.name + ": " +
                  error.message;
  return error;
}

HttpChannel::~HttpChannel() { stop_workers(); }

Result<void> HttpChannel::validate_destination(std::string_view address) const {
  if (targets_.count(std::string(address)) > 0) return {};
  return permanent_error("no s2s_target named " + text::quote_for_message(address) +
                         " in the dispatcher's configuration");
}

Result<void> HttpChannel::send_blocking(const Delivery& delivery) {
  const NotificationRequest& request = delivery.request;
  auto found = targets_.find(request.address);
  if (found == targets_.end())
    return permanent_error("no s2s_target named " + text::quote_for_message(request.address));
  const S2sTarget& target = found->second;
  if (target.is_sip()) return notify_sip(target, request);

  // The id a receiver de-duplicates by: the sequence-id, unique per target
  // and user (the body names the user). The timestamp is the moment of
  // this attempt, so a retry is inside the receiver's replay window.
  const std::string id = std::to_string(request.sequence_id);
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  HttpPost post;
  post.url = target.url;
  post.body = delivery.payload.bytes;
  post.timeout_secs = target.timeout_secs;
  post.client_cert = target.client_cert;
  post.client_key = target.client_key;
  post.ca_file = target.ca_file;
  post.headers = {
      {"Content-Type", delivery.payload.content_type},
      {kIdHeader, id},
      {kTimestampHeader, std::to_string(now)},
      {kSignatureHeader, s2s_signature(target.secret, id, now, post.body)},
  };
  auto response = transport_->post(post);
  if (!response) return temporary_error("target " + target.name + ": " + response.error().message);
  return classify_http_response(*response, target.name);
}

}  // namespace lnotify::http

// Turns a notification request into the bytes its channel carries (draft §9).
//
// build_payload picks the form per channel and format:
//
//   format    channel            payload
//   WAKEUP    UDP                EMN XML; with udp_payload = wsp the WSP push
//                                PDU around the WBXML EMN (binary UDP, port 2948)
//             SMS, MMS           WSP push PDU around the WBXML EMN; the SMS
//                                driver splits it with segment_for_sms
//             SIP                EMN XML
//             XMPP               EMN XML (xmpp_payload = json: the JSON wake-up)
//             WEBPUSH            EMN XML (webpush_payload = json: the JSON wake-up)
//   EXTENDED  XMPP, WEBPUSH      xemn XML (xemn JSON with xmpp_payload / webpush_payload = json)
//             all others         xemn XML
//   a WEBPUSH validation push    its text, encrypted (doc/webpush.md)
//
// EXTENDED payloads honour the request's size limit (see fit_to_size); when
// nothing fits, the channel's wake-up is sent instead, whatever its size. XML
// and JSON payloads are signed when the dispatcher has a signing key (see
// payload_signing.h). With the device's keys set, EXTENDED payloads, and
// every WEBPUSH payload, are encrypted (RFC 8291) after signing; the size
// limit then counts the encrypted bytes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lnotify/request/notification.h"
#include "lnotify/payload/payload_signing.h"
#include "lnotify/core/result.h"
#include "lnotify/payload/sms_pdu.h"
#include "lnotify/payload/xemn.h"

namespace lnotify {

// The bytes a channel carries for one notification.
struct Payload {
  std::string content_type;      // media type of the document in bytes
  std::string bytes;
  std::string content_encoding;  // "aes128gcm" when encrypted (RFC 8188), else empty
  bool wsp_push = false;         // bytes are a WSP push PDU around the document
  std::string note;              // what was cut to fit the size limit, for the log
};

// How payloads name the mailbox (dispatcher setting mailbox_uri).
enum class MailboxUriStyle { Mailat, Imap };
// What a UDP wake-up is (dispatcher setting udp_payload).
enum class UdpWakeupForm { Xml, Wsp };
// What XMPP carries (dispatcher setting xmpp_payload): the draft's XML
// documents (doc/payloads.md), or the JSON binding when chosen explicitly.
enum class XmppPayloadForm { Xml, Json };

struct PayloadOptions {
  MailboxUriStyle mailbox_uri = MailboxUriStyle::Mailat;
  std::string imap_host;  // host[:port] of imap:// URLs
  UdpWakeupForm udp_wakeup = UdpWakeupForm::Xml;
  XmppPayloadForm xmpp = XmppPayloadForm::Xml;
  bool webpush_json = false;  // webpush_payload = json: the JSON binding
  std::unique_ptr<PayloadSigner> signer;  // null: payloads are not signed
};

Result<Payload> build_payload(const NotificationRequest& request,
                              const PayloadOptions& options = PayloadOptions{});

// The pieces, for channel drivers that need a specific form.

// mailat:<account>, or the RFC 5092 URL imap://user@host/mailbox;UIDVALIDITY=n.
std::string mailbox_uri_for(const NotificationRequest& request, const PayloadOptions& options);

// The request's facts ready for an xemn payload: headers decoded (RFC 2047),
// text made valid UTF-8, the view defaulting to the mailbox name.
XemnFacts xemn_facts_for(const NotificationRequest& request, const PayloadOptions& options);

// The WSP push PDU around the WBXML EMN (TID = low octet of sequence_id).
Payload build_wsp_wakeup(const NotificationRequest& request, const PayloadOptions& options);

// The binary wake-up split into SMS user data (UDH with ports, concatenation
// when needed). reference numbers a long message; port is 2948 (the handset's
// WAP push dispatcher) or 143 (draft Appendix A: a mail client that listens).
Result<std::vector<SmsSegment>> build_sms_wakeup(const NotificationRequest& request,
                                                 const PayloadOptions& options, uint8_t reference,
                                                 uint16_t port = kWapPushPort);

// The JSON forms (xemn or wake-up), signed, sized and encrypted as above.
Result<Payload> build_json_payload(const NotificationRequest& request,
                                   const PayloadOptions& options);

}  // namespace lnotify

#include "lnotify/payload/payload.h"

#include <cstdint>

#include "lnotify/payload/emn.h"
#include "lnotify/payload/mime_header.h"
#include "lnotify/payload/payload_size.h"
#include "lnotify/payload/s2s.h"
#include "lnotify/payload/wbxml_emn.h"
#include "lnotify/payload/webpush_encryption.h"
#include "lnotify/payload/wsp_push.h"
#include "lnotify/payload/xemn_json.h"
#include "core/utf8.h"

namespace lnotify {
namespace {

enum class Document { Xml, Json };

// doc/payloads.md: XMPP and Web Push carry the draft's XML (EMN, xemn) unless
// the administrator chose the JSON binding (xmpp_payload / webpush_payload).
bool wants_json(ChannelKind channel, const PayloadOptions& o) {
  if (channel == ChannelKind::Xmpp) return o.xmpp == XmppPayloadForm::Json;
  if (channel == ChannelKind::WebPush) return o.webpush_json;
  return false;
}

bool wakeup_is_wsp(const NotificationRequest& r, const PayloadOptions& o) {
  return r.channel == ChannelKind::Sms || r.channel == ChannelKind::Mms ||
         (r.channel == ChannelKind::Udp && o.udp_wakeup == UdpWakeupForm::Wsp);
}

bool has_device_keys(const NotificationRequest& r) {
  return !r.device_p256dh.empty() && !r.device_auth.empty();
}

Result<std::string> sign(Document doc, std::string bytes, const PayloadOptions& o) {
  if (!o.signer) return bytes;
  return doc == Document::Xml ? sign_xml_document(bytes, *o.signer)
                              : sign_json_object(bytes, *o.signer);
}

// Encrypts a finished (signed) payload for the device: sign, then encrypt, so
// the signature is as private as the text it covers.
Result<Payload> seal(Payload payload, const DeviceKeys& keys) {
  auto sealed = encrypt_for_device(payload.bytes, keys);
  if (!sealed) return sealed.error();
  payload.bytes = std::move(*sealed);
  payload.content_encoding = "aes128gcm";
  return payload;
}

Result<Payload> document_wakeup(const NotificationRequest& r, const PayloadOptions& o,
                                Document doc) {
  const EmnWakeup emn{mailbox_uri_for(r, o), r.timestamp};
  Payload payload;
  Result<std::string> bytes = std::string();
  if (doc == Document::Xml) {
    payload.content_type = kEmnXmlContentType;
    auto xml = encode_emn_xml(emn);
    if (!xml) return xml.error();
    bytes = sign(doc, std::move(*xml), o);
  } else {
    payload.content_type = kXemnJsonContentType;
    bytes = sign(doc, encode_wakeup_json(emn), o);
  }
  if (!bytes) return bytes.error();
  payload.bytes = std::move(*bytes);
  // A Web Push body must be encrypted (RFC 8291), wake-up or not.
  if (r.channel == ChannelKind::WebPush && has_device_keys(r)) {
    auto keys = parse_device_keys(r.device_p256dh, r.device_auth);
    if (!keys) return permanent_error("device keys unusable: " + keys.error().message);
    return seal(std::move(payload), *keys);
  }
  return payload;
}

Result<Payload> channel_wakeup(const NotificationRequest& r, const PayloadOptions& o) {
  if (wakeup_is_wsp(r, o)) return build_wsp_wakeup(r, o);
  return document_wakeup(r, o, wants_json(r.channel, o) ? Document::Json : Document::Xml);
}

// The wake-up sent instead of an extended payload, with the reason noted.
Result<Payload> fallback_wakeup(const NotificationRequest& r, const PayloadOptions& o,
                                Document doc, const std::string& why) {
  auto wakeup = doc == Document::Json ? document_wakeup(r, o, doc) : channel_wakeup(r, o);
  if (wakeup) wakeup->note = why + "; sent a wake-up instead";
  return wakeup;
}

Result<Payload> extended(const NotificationRequest& r, const PayloadOptions& o, Document doc) {
  std::optional<DeviceKeys> keys;
  if (has_device_keys(r)) {
    auto parsed = parse_device_keys(r.device_p256dh, r.device_auth);
    // Never send the extended text in clear to a device that asked for
    // encryption; a wake-up carries nothing private.
    if (!parsed) return fallback_wakeup(r, o, doc, "device keys unusable (" + parsed.error().message + ")");
    keys = std::move(*parsed);
  }

  const XemnEncoder encode = [&](const XemnFacts& f) -> Result<std::string> {
    if (doc == Document::Json) return sign(doc, encode_xemn_json(f), o);
    auto xml = encode_xemn_xml(f);
    if (!xml) return xml.error();
    return sign(doc, std::move(*xml), o);
  };
  size_t limit = r.size_limit != 0 ? r.size_limit : SIZE_MAX;
  if (keys) {
    // The limit counts what travels: the encrypted record.
    size_t body = std::min(limit, kMaxEncryptedBody);
    limit = body > kAes128gcmOverhead ? body - kAes128gcmOverhead : 0;
  }
  auto fitted = fit_to_size(xemn_facts_for(r, o), limit, encode);
  if (!fitted) return fitted.error();
  if (!*fitted) {
    std::string why = r.size_limit != 0
                          ? "extended payload does not fit size=" + std::to_string(r.size_limit)
                          : "extended payload does not fit one encrypted record";
    return fallback_wakeup(r, o, doc, why);
  }

  Payload payload;
  payload.content_type = doc == Document::Json ? kXemnJsonContentType : kXemnContentType;
  payload.bytes = std::move((*fitted)->bytes);
  if (!(*fitted)->reductions.empty())
    payload.note = "cut to fit " + (r.size_limit != 0 ? "size=" + std::to_string(r.size_limit)
                                                      : std::string("one encrypted record")) +
                   ": " + (*fitted)->reductions;
  if (keys) return seal(std::move(payload), *keys);
  return payload;
}

// An IMAP WEBPUSH validation push: its text is the whole body, and it is
// only ever sent encrypted (the WEBPUSH command requires the keys).
Result<Payload> validation_payload(const NotificationRequest& r) {
  if (r.channel != ChannelKind::WebPush)
    return permanent_error("a validation push goes over WEBPUSH only");
  if (!has_device_keys(r)) return permanent_error("a validation push needs the device's keys");
  auto keys = parse_device_keys(r.device_p256dh, r.device_auth);
  if (!keys) return permanent_error("device keys unusable: " + keys.error().message);
  Payload payload;
  payload.content_type = "text/plain; charset=us-ascii";
  payload.bytes = r.validation;
  return seal(std::move(payload), *keys);
}

}  // namespace

std::string mailbox_uri_for(const NotificationRequest& r, const PayloadOptions& o) {
  // The configuration check demands imap_host with mailbox_uri = imap; the
  // fallback only keeps a half-built PayloadOptions from writing "imap:///".
  if (o.mailbox_uri == MailboxUriStyle::Imap && !o.imap_host.empty())
    return imap_mailbox_url(r.user, o.imap_host, r.mailbox, r.uidvalidity);
  return mailat_uri(r.account);
}

XemnFacts xemn_facts_for(const NotificationRequest& r, const PayloadOptions& o) {
  XemnFacts f;
  f.mailbox_uri = mailbox_uri_for(r, o);
  f.timestamp = r.timestamp;
  f.event = utf8::sanitize(r.event);
  // Draft §9.1: "The view attribute may refer to an IMAP Mailbox, or a named
  // virtual folder"; without a view the message's mailbox is it.
  f.view = utf8::sanitize(r.view.empty() ? r.mailbox : r.view);
  f.sequence_id = r.sequence_id;
  f.uid = r.uid;
  f.uidvalidity = r.uidvalidity;
  f.sender = decode_header_value(r.sender);
  f.subject = decode_header_value(r.subject);
  f.snippet = utf8::sanitize(r.snippet);
  f.message = utf8::sanitize(r.message);
  f.importance = r.importance;
  if (r.datetime != 0) f.datetime = r.datetime;
  return f;
}

Payload build_wsp_wakeup(const NotificationRequest& r, const PayloadOptions& o) {
  WspPush push;
  push.transaction_id = static_cast<uint8_t>(r.sequence_id & 0xFF);
  push.body = encode_emn_wbxml(EmnWakeup{mailbox_uri_for(r, o), r.timestamp});
  Payload payload;
  payload.content_type = kEmnWbxmlContentType;
  payload.bytes = encode_wsp_push(push);
  payload.wsp_push = true;
  return payload;
}

Result<std::vector<SmsSegment>> build_sms_wakeup(const NotificationRequest& r,
                                                 const PayloadOptions& o, uint8_t reference,
                                                 uint16_t port) {
  return segment_for_sms(build_wsp_wakeup(r, o).bytes, reference, port);
}

Result<Payload> build_json_payload(const NotificationRequest& r, const PayloadOptions& o) {
  if (r.format == PayloadFormat::Wakeup) return document_wakeup(r, o, Document::Json);
  return extended(r, o, Document::Json);
}

Result<Payload> build_payload(const NotificationRequest& r, const PayloadOptions& o) {
  if (r.channel == ChannelKind::DeltaChat) {
    // What the notification proxy gets is the device token and nothing
    // else (doc/channels/deltachat.md): no document about the message.
    Payload payload;
    payload.content_type = "application/octet-stream";
    payload.bytes = r.address;
    return payload;
  }
  if (r.s2s || r.channel == ChannelKind::Http) {
    // Server-to-server: the JSON binding; the HTTP channel signs the
    // whole request (its headers), not the document.
    Payload payload;
    payload.content_type = kS2sJsonContentType;
    payload.bytes = encode_s2s_json(r, o);
    return payload;
  }
  if (!r.validation.empty()) return validation_payload(r);
  if (r.format == PayloadFormat::Wakeup) return channel_wakeup(r, o);
  return extended(r, o, wants_json(r.channel, o) ? Document::Json : Document::Xml);
}

}  // namespace lnotify

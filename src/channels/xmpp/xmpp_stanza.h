// The stanzas of the XMPP channel, built and read with libstrophe (it does
// the XML escaping and parsing; nothing here pastes XML text).
//
// A notification is one message stanza (RFC 6121 §5):
//
//   <message to="bob@example.org" id="lnotify-7" type="normal">
//     <body>New mail in INBOX</body>
//     <notification xmlns="urn:ietf:params:xml:ns:lemonade-notifications"
//                   type="application/vnd.lnotify.xemn+json">{"event":…}</notification>
//   </message>
//
// type "normal", not "chat": RFC 6121 §8.5.2.1.1 lets the server store a
// normal message for an offline account (offline storage, XEP-0160) and
// deliver it at the next login. The payload (payload.h: the JSON wake-up
// or xemn JSON, signed when configured) is the text of the namespaced
// element; an encrypted payload (RFC 8291, binary) is base64url text with
// encoding="aes128gcm". The body is a short line for ordinary clients,
// which ignore the unknown element; it never carries more than the
// mailbox name and, for a Sieve notify, its :message, and only the mailbox
// name when the payload is encrypted.
//
// After each message the channel sends an XEP-0199 ping to its own server:
// a server answers a client's stanzas in order, so its answer to the ping
// says the message was taken (routed or stored offline), which is the
// acknowledgement XMPP has without XEP-0184 receipts from the device.
#pragma once

#include <strophe.h>

#include <memory>
#include <string>

#include "lnotify/dispatcher/channel.h"
#include "lnotify/core/result.h"

namespace lnotify::xmpp {

// The draft registers no namespace; this one names the draft and is used
// by lnotify only (doc/channels/xmpp.md).
inline constexpr const char* kNotificationNamespace =
    "urn:ietf:params:xml:ns:lemonade-notifications";
inline constexpr const char* kPingNamespace = "urn:xmpp:ping";

struct StanzaRelease {
  void operator()(xmpp_stanza_t* s) const { xmpp_stanza_release(s); }
};
using StanzaPtr = std::unique_ptr<xmpp_stanza_t, StanzaRelease>;

// The text of the <body>.
std::string body_text(const Delivery& delivery);

// The message stanza for one notification; null when out of memory.
StanzaPtr build_notification(xmpp_ctx_t* ctx, const Delivery& delivery, const std::string& id);

// <iq type="get" id="…" to="domain"><ping xmlns="urn:xmpp:ping"/></iq>
StanzaPtr build_ping(xmpp_ctx_t* ctx, const std::string& id, const std::string& domain);

// What a stanza error returned for a message means (RFC 6120 §8.3.2): type
// "wait" is temporary, "cancel", "modify" and "auth" are permanent. The
// message names the defined condition, e.g. "service-unavailable".
Error stanza_error_outcome(xmpp_stanza_t* error_reply);

}  // namespace lnotify::xmpp

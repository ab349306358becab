#include "channels/xmpp/xmpp_stanza.h"

#include <cstring>

#include "lnotify/core/base64url.h"

namespace lnotify::xmpp {
namespace {

constexpr const char* kStanzaErrorNamespace = "urn:ietf:params:xml:ns:xmpp-stanzas";

StanzaPtr new_element(xmpp_ctx_t* ctx, const char* name, const char* ns) {
  StanzaPtr element(xmpp_stanza_new(ctx));
  if (!element) return nullptr;
  if (xmpp_stanza_set_name(element.get(), name) != XMPP_EOK) return nullptr;
  if (ns != nullptr && xmpp_stanza_set_ns(element.get(), ns) != XMPP_EOK) return nullptr;
  return element;
}

// element gets a text child; xmpp_stanza_add_child takes its own reference.
bool add_text(xmpp_ctx_t* ctx, xmpp_stanza_t* element, const std::string& text) {
  StanzaPtr node(xmpp_stanza_new(ctx));
  return node && xmpp_stanza_set_text_with_size(node.get(), text.data(), text.size()) == XMPP_EOK &&
         xmpp_stanza_add_child(element, node.get()) == XMPP_EOK;
}

}  // namespace

std::string body_text(const Delivery& delivery) {
  const NotificationRequest& r = delivery.request;
  const bool sealed = !delivery.payload.content_encoding.empty();
  if (!sealed && !r.message.empty()) return r.message;
  std::string what = r.event == "MessageNew" || r.event == "MessageAppend" || r.event.empty()
                         ? "New mail"
                         : r.event;
  return what + " in " + (r.mailbox.empty() ? std::string("INBOX") : r.mailbox);
}

StanzaPtr build_notification(xmpp_ctx_t* ctx, const Delivery& delivery, const std::string& id) {
  StanzaPtr message(
      xmpp_message_new(ctx, "normal", delivery.request.address.c_str(), id.c_str()));
  if (!message || xmpp_message_set_body(message.get(), body_text(delivery).c_str()) != XMPP_EOK)
    return nullptr;
  StanzaPtr payload = new_element(ctx, "notification", kNotificationNamespace);
  if (!payload) return nullptr;
  const Payload& p = delivery.payload;
  if (xmpp_stanza_set_attribute(payload.get(), "type", p.content_type.c_str()) != XMPP_EOK)
    return nullptr;
  // RFC 8188 bytes are binary: XML text can only carry them encoded.
  std::string text = p.bytes;
  if (!p.content_encoding.empty()) {
    if (xmpp_stanza_set_attribute(payload.get(), "encoding", p.content_encoding.c_str()) !=
            XMPP_EOK ||
        xmpp_stanza_set_attribute(payload.get(), "transfer", "base64url") != XMPP_EOK)
      return nullptr;
    text = base64url_encode(p.bytes);
  }
  if (!add_text(ctx, payload.get(), text) ||
      xmpp_stanza_add_child(message.get(), payload.get()) != XMPP_EOK)
    return nullptr;
  return message;
}

StanzaPtr build_ping(xmpp_ctx_t* ctx, const std::string& id, const std::string& domain) {
  StanzaPtr iq(xmpp_iq_new(ctx, "get", id.c_str()));
  StanzaPtr ping = new_element(ctx, "ping", kPingNamespace);
  if (!iq || !ping || xmpp_stanza_set_to(iq.get(), domain.c_str()) != XMPP_EOK ||
      xmpp_stanza_add_child(iq.get(), ping.get()) != XMPP_EOK)
    return nullptr;
  return iq;
}

Error stanza_error_outcome(xmpp_stanza_t* error_reply) {
  xmpp_stanza_t* error = xmpp_stanza_get_child_by_name(error_reply, "error");
  const char* type = error ? xmpp_stanza_get_type(error) : nullptr;
  std::string condition = "no error condition";
  for (xmpp_stanza_t* c = error ? xmpp_stanza_get_children(error) : nullptr; c != nullptr;
       c = xmpp_stanza_get_next(c)) {
    const char* ns = xmpp_stanza_get_ns(c);
    const char* name = xmpp_stanza_get_name(c);
    if (name != nullptr && ns != nullptr && std::strcmp(ns, kStanzaErrorNamespace) == 0 &&
        std::strcmp(name, "text") != 0) {
      condition = name;
      break;
    }
  }
  std::string what = "the XMPP server returned the message with error " + condition + " (type " +
                     (type ? type : "missing") + ")";
  // RFC 6120 §8.3.2: "wait -- retry after waiting (the error is temporary)";
  // every other type says retrying the same stanza will not help. A reply
  // without a type is treated as temporary: nothing says it is final.
  if (type == nullptr || std::strcmp(type, "wait") == 0) return temporary_error(what);
  return permanent_error(what);
}

}  // namespace lnotify::xmpp

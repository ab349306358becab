// Fuzz target: the preference grammars a client's SETMETADATA reaches —
// channel choice, addresses per channel, fetch-att lists, and the whole
// METADATA write check with the entry chosen by the first byte; Delta
// Chat's /private/devicetoken and the notifier URL.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lnotify/metadata/deltachat.h"
#include "lnotify/metadata/fetch_att.h"
#include "lnotify/metadata/metadata.h"
#include "lnotify/metadata/preferences.h"

using namespace lnotify;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto schema = metadata_schema();
  const uint8_t selector = data[0];
  std::string_view value(reinterpret_cast<const char*>(data + 1), size - 1);

  (void)parse_channel_preference(value);
  (void)parse_udp_address(value);
  for (auto kind : {ChannelKind::Sms, ChannelKind::Mms, ChannelKind::Sip, ChannelKind::Xmpp,
                    ChannelKind::Udp, ChannelKind::WebPush, ChannelKind::DeltaChat})
    (void)validate_address(kind, value);
  if (deltachat::validate_token(value)) {
    // a valid token names a device and a queue whose account comes back
    const std::string key = deltachat::queue_key(value, "alice@example.test");
    if (deltachat::queue_key_account(key) != "alice@example.test") __builtin_trap();
  }
  (void)deltachat::check_notifier_url(value);
  (void)parse_fetch_att_list(value);
  (void)parse_offered_channels(value);

  const MetadataEntry& entry = schema[selector % schema.size()];
  MetadataWriteContext context{"NONE UDP=WAKEUP UDP=EXTENDED SMS=WAKEUP",
                               selector & 0x80 ? std::optional(ChannelKind::Sms) : std::nullopt,
                               "127.0.0.0/8 ::1"};
  (void)check_metadata_write(entry.scope, entry.name, value, context);
  // and the value as an entry name
  (void)check_metadata_write(EntryScope::Mailbox, value, std::string_view("x"), context);
  return 0;
}

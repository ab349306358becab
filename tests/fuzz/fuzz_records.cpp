// Fuzz target: the spool's record codecs (request and provision records are
// read by the dispatcher and the plugin; a corrupt file must be refused,
// never crash), and the dispatcher's configuration parser. A record that
// decodes must survive an encode/decode round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "service/dispatcher_config.h"
#include "lnotify/request/notification.h"
#include "lnotify/spool/provision.h"

using namespace lnotify;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto request = decode_request(text)) {
    auto again = decode_request(encode_request(*request));
    if (!again || again->user != request->user || again->mailbox != request->mailbox ||
        again->uid != request->uid || again->address != request->address ||
        again->snippet != request->snippet || again->sequence_id != request->sequence_id)
      std::abort();
  }
  if (auto provision = decode_provision(text)) {
    auto again = decode_provision(encode_provision(*provision));
    if (!again || again->channels != provision->channels) std::abort();
  }
  (void)parse_dispatcher_config(text);
  return 0;
}

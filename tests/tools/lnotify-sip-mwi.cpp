// Sends one RFC 3842 message-summary NOTIFY with send_message_summary()
// (channels/common/sip/sip_notify.h), for the tests against sipp (not installed).
//   lnotify-sip-mwi TARGET-URI yes|no ACCOUNT-URL NEW OLD [T1-MS]
// Prints "ok" or the error; exit 0, 1 (permanent) or 2 (temporary).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "channels/common/sip/sip_notify.h"

using namespace lnotify::sip;

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s TARGET-URI yes|no ACCOUNT-URL NEW OLD [T1-MS]\n", argv[0]);
    return 64;
  }
  ClientSettings settings;
  settings.identity = "mail.example.test";
  if (argc > 6) settings.timers.t1_ms = std::atoi(argv[6]);
  Client client(settings, make_socket_connector());
  MessageSummary summary;
  summary.messages_waiting = std::string(argv[2]) == "yes";
  summary.message_account = argv[3];
  summary.counts = MessageCounts{MessageContextClass::Text, static_cast<unsigned>(std::atoi(argv[4])),
                                 static_cast<unsigned>(std::atoi(argv[5])), std::nullopt};
  auto sent = send_message_summary(client, argv[1], summary);
  if (sent) {
    std::puts("ok");
    return 0;
  }
  std::printf("%s\n", sent.error().message.c_str());
  return sent.error().temporary() ? 2 : 1;
}

// Payload encoders per second (issue 9, target >= 1,000,000/s each): the EMN
// wake-up as XML, the XEMN of an extended notification, and the WBXML EMN
// in its WSP push PDU (the binary wake-up for UDP and SMS). Each builds the
// whole payload the dispatcher would send, from a request with the facts a
// real delivery carries (RFC 2047 encoded subject, 8-bit snippet).
#include <benchmark/benchmark.h>

#include "lnotify/payload/payload.h"

namespace lnotify {
namespace {

NotificationRequest sample(PayloadFormat format) {
  NotificationRequest r;
  r.user = "alice";
  r.account = "alice@example.org";
  r.mailbox = "INBOX";
  r.event = "MessageNew";
  r.uid = 4242;
  r.uidvalidity = 1700000000;
  r.timestamp = 1700000123;
  r.channel = ChannelKind::Udp;
  r.format = format;
  r.address = "192.0.2.7:2948";
  r.sender = "=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.net>";
  r.subject = "=?UTF-8?B?UXVhcnRlcmx5IHJlcG9ydCDigJQgZHJhZnQ=?=";
  r.snippet = "Hi Alice, attached is the draft of the quarterly report. Could you";
  r.datetime = 1700000100;
  r.sequence_id = 17;
  return r;
}

void run(benchmark::State& state, const NotificationRequest& request,
         const PayloadOptions& options) {
  size_t bytes = 0;
  for (auto _ : state) {
    auto payload = build_payload(request, options);
    if (!payload) {
      state.SkipWithError(payload.error().message.c_str());
      return;
    }
    bytes = payload->bytes.size();
    benchmark::DoNotOptimize(payload->bytes.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(state.iterations());
}

void EmnXml(benchmark::State& state) {
  run(state, sample(PayloadFormat::Wakeup), PayloadOptions{});
}
void Xemn(benchmark::State& state) {
  run(state, sample(PayloadFormat::Extended), PayloadOptions{});
}
void WbxmlPush(benchmark::State& state) {
  PayloadOptions options;
  options.udp_wakeup = UdpWakeupForm::Wsp;
  run(state, sample(PayloadFormat::Wakeup), options);
}

BENCHMARK(EmnXml);
BENCHMARK(Xemn);
BENCHMARK(WbxmlPush);

}  // namespace
}  // namespace lnotify

BENCHMARK_MAIN();

// lnotify-bench: what the hand-over through the spool costs, measured
// against cheaper and dearer alternatives in the same run, and what the
// dispatcher's queue costs in memory and time.
//
//   lnotify-bench [DIR] [COUNT]
//
// DIR (default: a new directory under /var/tmp) must be on the file system
// the spool will live on: fsync costs are the file system's. COUNT is the
// number of notifications per measurement (default 2000).
//
// Writer side (what a delivery pays per notification):
//   encode         the record only, in memory (the floor)
//   pipe           the record written to a pipe a thread drains (IPC
//                  without durability: lost if the reader dies)
//   socket+ack     the record over a Unix socket, waiting for the reader's
//                  one-byte acknowledgement (the delivery waits on the
//                  dispatcher), no durability
//   spool          tmp/ file, rename to incoming/ (lnotify_spool_fsync = no)
//   spool+fsync    the same with fdatasync() before the rename (the default)
// Dispatcher side:
//   journal, per notification    sequence-id line + fdatasync each
//   journal, per pass of 256     256 lines + one fdatasync
//   queue of 100,000: resident memory and heap, claim time, sending them all
//   over a real UDP socket to a loopback receiver with durability on, and
//   the cost of a pass when nothing is due.
#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "channels/udp/udp_channel.h"
#include "lnotify/dispatcher/channel.h"
#include "lnotify/core/clock.h"
#include "lnotify/dispatcher/dispatcher.h"
#include "lnotify/request/notification.h"
#include "lnotify/dispatcher/sequence_store.h"
#include "lnotify/spool/spool.h"
#include "lnotify/dispatcher/state_journal.h"

using namespace lnotify;
using Steady = std::chrono::steady_clock;

namespace {

NotificationRequest sample(uint32_t uid, const std::string& account = "alice@example.org") {
  NotificationRequest r;
  r.user = "alice";
  r.account = account;
  r.mailbox = "INBOX";
  r.event = "MessageNew";
  r.uid = uid;
  r.uidvalidity = 1700000000;
  r.timestamp = ::time(nullptr);
  r.channel = ChannelKind::Udp;
  r.format = PayloadFormat::Extended;
  r.address = "192.0.2.7:2948";
  r.sender = "Big Boss <boss@example.org>";
  r.subject = "Quarterly report";
  r.snippet = "Please find attached the figures for the last quarter.";
  r.datetime = r.timestamp;
  return r;
}

// Each measurement starts with nothing dirty in the page cache, so it
// does not pay for writeback the one before left behind.
double micros_per(size_t count, const std::function<void(size_t)>& body) {
  ::sync();
  auto start = Steady::now();
  for (size_t i = 0; i < count; ++i) body(i);
  return std::chrono::duration<double, std::micro>(Steady::now() - start).count() /
         static_cast<double>(count);
}

void row(const char* name, double us, double baseline) {
  std::printf("  %-30s %10.2f us %10.1fx\n", name, us, us / baseline);
}

class NullTransport : public DatagramTransport {
 public:
  Result<void> send_to(const std::string&, uint16_t, std::string_view) override { return {}; }
};

class QuietLogger : public Logger {
 public:
  void log(LogLevel, std::string_view) override {}
};

class UdpNull : public ImmediateChannel {
 public:
  ChannelKind kind() const override { return ChannelKind::Udp; }
  Result<void> validate_destination(std::string_view) const override { return {}; }
  Result<void> send(std::string_view, const Payload&) override { return {}; }
};

size_t heap() { return mallinfo2().uordblks; }

// CPU time (user + system) of the calling thread.
double thread_cpu_seconds() {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + t.tv_nsec / 1e9;
}

// VmRSS of this process, KiB.
size_t resident_kib() {
  FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) return 0;
  char line[256];
  size_t kib = 0;
  while (std::fgets(line, sizeof(line), status) != nullptr)
    if (std::sscanf(line, "VmRSS: %zu kB", &kib) == 1) break;
  std::fclose(status);
  return kib;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string base = argc > 1 ? argv[1] : "";
  const size_t count = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2000;
  if (base.empty()) {
    char templ[] = "/var/tmp/lnotify-bench-XXXXXX";
    base = ::mkdtemp(templ);
  }
  std::filesystem::create_directories(base);
  const std::string spool_dir = base + "/spool";
  std::filesystem::create_directories(spool_dir);
  Spool spool(spool_dir);
  if (auto prepared = spool.prepare(); !prepared) {
    std::fprintf(stderr, "%s\n", prepared.error().message.c_str());
    return 1;
  }
  std::printf("lnotify-bench in %s, %zu notifications per measurement\n\n", base.c_str(), count);

  // ---- writer side ----
  // Five interleaved rounds, the median of each: the file system's
  // background work (journal commits, discards) lands on all alike.
  const NotificationRequest request = sample(1);
  const std::string record = encode_request(request);
  std::printf("hand-over per notification (record %zu bytes, median of 5 rounds); ratio to the pipe:\n",
              record.size());
  size_t sink = 0;
  std::vector<double> encode, pipe, socket_ack, spool_plain, spool_fsync;
  for (int round = 0; round < 5; ++round) {
    encode.push_back(micros_per(count * 10, [&](size_t) { sink += encode_request(request).size(); }));

    int pipe_fds[2];
    if (::pipe(pipe_fds) < 0) return 1;
    std::thread drain([&] {
      char buf[65536];
      while (::read(pipe_fds[0], buf, sizeof(buf)) > 0) {}
    });
    pipe.push_back(micros_per(count, [&](size_t) {
      std::string r = encode_request(request);
      if (::write(pipe_fds[1], r.data(), r.size()) < 0) std::abort();
    }));
    ::close(pipe_fds[1]);
    drain.join();
    ::close(pipe_fds[0]);

    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return 1;
    std::thread acker([&] {
      std::string got;
      char buf[65536];
      for (;;) {
        ssize_t n = ::read(sv[1], buf, sizeof(buf));
        if (n <= 0) return;
        got.append(buf, static_cast<size_t>(n));
        size_t end;
        while ((end = got.find("end\n")) != std::string::npos) {
          got.erase(0, end + 4);
          if (::write(sv[1], "+", 1) < 0) return;
        }
      }
    });
    socket_ack.push_back(micros_per(count, [&](size_t) {
      std::string r = encode_request(request);
      char ack;
      if (::write(sv[0], r.data(), r.size()) < 0 || ::read(sv[0], &ack, 1) != 1) std::abort();
    }));
    ::shutdown(sv[0], SHUT_RDWR);
    acker.join();
    ::close(sv[0]);
    ::close(sv[1]);

    // A fresh spool per round, as the dispatcher keeps incoming/ empty.
    const std::string round_dir = spool_dir + "/round" + std::to_string(round);
    std::filesystem::create_directories(round_dir);
    Spool round_spool(round_dir);
    if (!round_spool.prepare()) return 1;
    spool_plain.push_back(micros_per(count, [&](size_t) {
      if (!round_spool.submit(request, false)) std::abort();
    }));
    spool_fsync.push_back(micros_per(count, [&](size_t) {
      if (!round_spool.submit(request, true)) std::abort();
    }));
  }
  const double pipe_median = median(pipe);
  row("encode", median(encode), pipe_median);
  row("pipe", pipe_median, pipe_median);
  row("socket+ack", median(socket_ack), pipe_median);
  row("spool", median(spool_plain), pipe_median);
  row("spool+fsync", median(spool_fsync), pipe_median);

  // ---- dispatcher side: the journal ----
  std::printf("\nsequence-id journal per notification; ratio to one fdatasync per pass of %zu:\n",
              Dispatcher::kPassBudget);
  const std::string journal_dir = base + "/state-journal";
  std::filesystem::create_directories(journal_dir);
  StateJournal journal;
  if (!journal.open(journal_dir, [](const auto&) {})) return 1;
  SequenceStore sequences(journal);
  size_t next_entry = 0;
  const double batched = micros_per(count, [&](size_t i) {
    sequences.assign("e" + std::to_string(next_entry++), "alice@example.org UDP 192.0.2.7:2948");
    if (i % Dispatcher::kPassBudget == Dispatcher::kPassBudget - 1 && !journal.write(true))
      std::abort();
  });
  const double each = micros_per(count, [&](size_t) {
    sequences.assign("e" + std::to_string(next_entry++), "alice@example.org UDP 192.0.2.7:2948");
    if (!journal.write(true)) std::abort();
  });
  row("fdatasync per pass", batched, batched);
  row("fdatasync per notification", each, batched);

  // ---- dispatcher side: 100,000 queued, then sent over real UDP ----
  // Durability on: every pass writes the sequence-ids it gives and
  // fdatasyncs the journal before sending, and each sent entry's spool file
  // is unlinked. The dispatcher is one thread (one core); a second thread
  // drains the receiving socket.
  // LNOTIFY_BENCH_QUEUED overrides 100,000 (for quick profiling runs).
  const uint32_t queued_count =
      std::getenv("LNOTIFY_BENCH_QUEUED") ? std::atoi(std::getenv("LNOTIFY_BENCH_QUEUED")) : 100000;
  std::printf("\n%u queued notifications (10 per account), sent over UDP to loopback:\n",
              queued_count);
  const std::string big_dir = base + "/spool-100k";
  std::filesystem::create_directories(big_dir);
  Spool big(big_dir);
  if (!big.prepare()) return 1;
  int receiver = ::socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in bound {};
  bound.sin_family = AF_INET;
  bound.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t bound_len = sizeof(bound);
  const int rcvbuf = 16 << 20;
  ::setsockopt(receiver, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  if (::bind(receiver, reinterpret_cast<sockaddr*>(&bound), sizeof(bound)) < 0 ||
      ::getsockname(receiver, reinterpret_cast<sockaddr*>(&bound), &bound_len) < 0)
    return 1;
  const std::string sink_address = "127.0.0.1:" + std::to_string(ntohs(bound.sin_port));
  for (uint32_t i = 0; i < queued_count; ++i) {
    NotificationRequest r = sample(i, "user" + std::to_string(i / 10) + "@example.org");
    r.address = sink_address;
    if (!big.submit(r, false)) return 1;
  }
  std::atomic<size_t> received{0};
  std::thread drain([&] {
    char buf[65536];
    while (::recv(receiver, buf, sizeof(buf), 0) > 0) ++received;
  });
  QuietLogger logger;
  const std::string state_dir = base + "/state-100k";
  std::filesystem::create_directories(state_dir);
  DispatcherOptions options;
  options.state_dir = state_dir;
  options.policy.rate_limit = RateLimit{};
  options.policy.unanswered_limit = 0;
  const size_t rss_before = resident_kib();
  const size_t heap_before = heap();
  auto start = Steady::now();
  {
    Dispatcher dispatcher(Spool(big_dir), logger, std::move(options));
    dispatcher.add_channel(std::make_unique<udp::UdpChannel>(
        make_udp_socket_transport(), *DestinationPolicy::parse("127.0.0.1")));
    if (!dispatcher.start()) return 1;
    const double claim_s = std::chrono::duration<double>(Steady::now() - start).count();
    std::printf("  resident memory added by the queue  %7.1f MiB (heap %.1f MiB)\n",
                (resident_kib() - rss_before) / 1024.0, (heap() - heap_before) / 1048576.0);
    std::printf("  claim (read and index) all      %10.2f s\n", claim_s);
    start = Steady::now();
    auto stats = dispatcher.run_due();
    std::printf("  one pass: %zu sent               %10.2f ms\n", stats.sent,
                std::chrono::duration<double, std::milli>(Steady::now() - start).count());
    start = Steady::now();
    const double cpu_start = thread_cpu_seconds();
    size_t sent = stats.sent;
    while (dispatcher.queued() > 0) sent += dispatcher.run_due().sent;
    const double all_s = std::chrono::duration<double>(Steady::now() - start).count();
    const double cpu_s = thread_cpu_seconds() - cpu_start;
    std::printf("  sending all over UDP, durable   %10.2f s, %.0f per second\n", all_s,
                static_cast<double>(sent) / all_s);
    // Wall time includes waiting on the disk (fdatasync, unlink), which
    // other work on the machine inflates; CPU time is the one core's work.
    std::printf("  the same per CPU second         %10.2f s CPU, %.0f per second\n", cpu_s,
                static_cast<double>(sent - stats.sent) / cpu_s);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::printf("  datagrams received              %10zu of %zu\n", received.load(), sent);
  }
  ::shutdown(receiver, SHUT_RDWR);
  drain.join();
  ::close(receiver);
  {
    // Work proportional to what is due: 100,000 notifications waiting in
    // the queue, none due: a pass looks at the schedule's first entry only.
    DispatchQueue queue;
    for (uint32_t i = 0; i < 100000; ++i) {
      QueuedNotification n;
      n.entry = std::to_string(i);
      n.not_before_ms = INT64_MAX / 2;
      queue.push("user" + std::to_string(i) + "@example.org", std::move(n));
    }
    const double us = micros_per(10000, [&](size_t) { sink += queue.due_accounts(0, 256).size(); });
    std::printf("  finding what is due, none is    %10.3f us\n", us);
  }
  std::filesystem::remove_all(base);
  return sink == 0 ? 1 : 0;  // uses sink, so the encoding is not optimised away
}

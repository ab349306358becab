#include "lnotify/dispatcher/dispatch_queue.h"

#include <malloc.h>

#include <cstdio>

#include <gtest/gtest.h>

namespace lnotify {
namespace {

QueuedNotification item(const std::string& entry, int64_t due, uint64_t device = 1) {
  QueuedNotification n;
  n.entry = entry;
  n.not_before_ms = due;
  n.expires_ms = due + 86400000;
  n.device = device;
  return n;
}

TEST(DispatchQueue, AccountsAreDueByTheirHeadInTimeOrder) {
  DispatchQueue queue;
  queue.push("bob", item("b1", 200));
  queue.push("alice", item("a1", 100));
  queue.push("alice", item("a2", 50));  // behind a1: its time does not count yet
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(queue.next_due_ms(), 100);
  EXPECT_EQ(queue.due_accounts(99, 10), std::vector<std::string>{});
  EXPECT_EQ(queue.due_accounts(150, 10), std::vector<std::string>{"alice"});
  EXPECT_EQ(queue.due_accounts(300, 10), (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(queue.due_accounts(300, 1), std::vector<std::string>{"alice"});

  queue.pop_head("alice");
  EXPECT_EQ(queue.head("alice")->entry, "a2");
  EXPECT_EQ(queue.next_due_ms(), 50);

  queue.head("alice")->not_before_ms = 500;
  queue.reschedule("alice");
  EXPECT_EQ(queue.next_due_ms(), 200);
  queue.pop_head("alice");
  EXPECT_EQ(queue.head("alice"), nullptr);
  EXPECT_EQ(queue.accounts(), 1u);
  queue.pop_head("bob");
  EXPECT_FALSE(queue.next_due_ms().has_value());
  EXPECT_EQ(queue.size(), 0u);
}

TEST(DispatchQueue, EqualTimesGoLongestWaitingFirst) {
  DispatchQueue queue;
  queue.push("a", item("a1", 10));
  queue.push("b", item("b1", 10));
  queue.push("a", item("a2", 10));
  queue.pop_head("a");  // a's next one goes behind b
  EXPECT_EQ(queue.due_accounts(10, 10), (std::vector<std::string>{"b", "a"}));
}

TEST(DispatchQueue, MergeRunTakesFollowersOfTheSameDeviceNotYetAdmitted) {
  DispatchQueue queue;
  queue.push("a", item("1", 0, 7));
  queue.push("a", item("2", 0, 7));
  queue.push("a", item("3", 0, 7));
  queue.push("a", item("4", 0, 8));  // another device ends the run
  queue.push("a", item("5", 0, 7));
  auto merged = queue.merge_run("a");
  EXPECT_EQ(merged, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(queue.head("a")->entry, "3") << "the newest facts";
  EXPECT_EQ(queue.head("a")->merged, 2u);
  EXPECT_EQ(queue.size(), 3u);
  queue.pop_head("a");
  EXPECT_EQ(queue.head("a")->entry, "4");
}

TEST(DispatchQueue, RemoveAnywhere) {
  DispatchQueue queue;
  for (const char* e : {"1", "2", "3"}) queue.push("a", item(e, 0));
  EXPECT_TRUE(queue.remove("a", "2"));
  EXPECT_FALSE(queue.remove("a", "2"));
  EXPECT_TRUE(queue.remove("a", "1"));
  EXPECT_EQ(queue.head("a")->entry, "3");
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_NE(queue.find("a", "3"), nullptr);
}

// README: "100,000 queued must fit well under 64 MiB". Measured as the heap
// the queue takes, with realistic spool entry names, for 100,000
// notifications spread over 10,000 accounts and over 100,000 accounts.
size_t heap_in_use() { return mallinfo2().uordblks; }

void expect_fits(size_t accounts) {
  const size_t before = heap_in_use();
  {
    DispatchQueue queue;
    char entry[80];
    for (size_t i = 0; i < 100000; ++i) {
      std::snprintf(entry, sizeof(entry), "%016zx-%d-%zu-%08zx", 0x61a8000000000 + i * 37, 123456,
                    i, i * 2654435761u % 0xffffffff);
      queue.push("user" + std::to_string(i % accounts) + "@example.test",
                 item(entry, static_cast<int64_t>(i)));
    }
    const size_t used = heap_in_use() - before;
    std::printf("100000 queued over %zu accounts: %.1f MiB (%zu bytes each)\n", accounts,
                used / 1048576.0, used / 100000);
    // Measured: about 19 MiB with 10 per account, 34 MiB with one each
    // (every account then costs its own map node, schedule node and
    // vector). 40 MiB leaves a quarter of the 64 MiB budget unused.
    EXPECT_LT(used, 40u * 1024 * 1024) << "well under 64 MiB";
    EXPECT_EQ(queue.size(), 100000u);
  }
  EXPECT_LT(heap_in_use(), before + 1024 * 1024) << "all of it is given back";
}

TEST(DispatchQueue, AHundredThousandFitWellUnder64MiB) {
  expect_fits(10000);
  expect_fits(100000);
}

}  // namespace
}  // namespace lnotify

// Sequence-ids reserved in blocks: one flush per block and device, and after
// each kind of crash the next id is neither used before nor (unless the
// machine itself went down) further than one past the last one sent.
#include "lnotify/dispatcher/sequence_store.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace lnotify {
namespace {

constexpr const char* kDevice = "alice@example.test UDP 192.0.2.7:2948";

// A dispatcher's life on one journal: replay, recover, then the caller's steps.
struct Life {
  StateJournal journal;
  SequenceStore store{journal};
  size_t skipped = 0;

  Life(const std::string& dir, const std::string& boot) {
    auto opened = journal.open(dir, [&](const StateJournal::Line& line) { store.apply(line); });
    EXPECT_TRUE(opened.has_value());
    skipped = store.recover(boot);
    StateJournal::Snapshot snapshot;
    store.snapshot(snapshot);
    EXPECT_TRUE(journal.rewrite(snapshot).has_value());
  }
  // One notification sent, as the dispatcher does it: written before the
  // send, flushed only for a new reservation. Returns whether it flushed.
  bool send(const std::string& entry, uint64_t* id = nullptr) {
    const uint64_t given = store.assign(entry, kDevice);
    if (id != nullptr) *id = given;
    const bool flush = store.sync_needed();
    EXPECT_TRUE(journal.write(flush).has_value());
    if (flush) store.flushed();
    store.release(entry);
    return flush;
  }
};

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What a power loss leaves: the journal as it was at its last flush.
void cut_to(const std::string& path, const std::string& flushed) {
  std::ofstream(path, std::ios::trunc) << flushed;
}

TEST(SequenceStore, FlushesOncePerBlockOfIds) {
  testing::TempDir dir;
  Life life(dir.path(), "boot-1");
  const uint64_t sends = 2 * SequenceStore::kReserveBlock + 5;
  uint64_t flushes = 0, id = 0;
  for (uint64_t i = 1; i <= sends; ++i) {
    flushes += life.send("entry-" + std::to_string(i), &id) ? 1 : 0;
    ASSERT_EQ(id, i);
  }
  EXPECT_EQ(flushes, 3u) << "ids 1, 1001 and 2001 open a reservation";
}

TEST(SequenceStore, AfterTheDispatcherCrashesTheNextIdFollowsTheLastWithoutAGap) {
  testing::TempDir dir;
  {
    Life first(dir.path(), "boot-1");
    for (int i = 1; i <= 7; ++i) first.send("entry-" + std::to_string(i));
    // killed: no clean stop, the page cache (written lines) survives
  }
  Life second(dir.path(), "boot-1");
  EXPECT_EQ(second.skipped, 0u);
  uint64_t id = 0;
  second.send("entry-8", &id);
  EXPECT_EQ(id, 8u);
}

TEST(SequenceStore, AfterTheMachineCrashesIdsSkipPastTheReservationAndAreNeverReused) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/state";
  std::string at_flush;
  {
    Life first(dir.path(), "boot-1");
    for (int i = 1; i <= 7; ++i)
      if (first.send("entry-" + std::to_string(i))) at_flush = contents(path);
  }
  cut_to(path, at_flush);  // ids 2..7 were sent, their lines never reached the disk
  Life second(dir.path(), "boot-2");
  EXPECT_EQ(second.skipped, 1u);
  uint64_t id = 0;
  second.send("entry-8", &id);
  EXPECT_EQ(id, SequenceStore::kReserveBlock + 1) << "past every id the lost lines could have held";
}

TEST(SequenceStore, AfterACleanStopAndARebootIdsContinueWithoutAGap) {
  testing::TempDir dir;
  {
    Life first(dir.path(), "boot-1");
    for (int i = 1; i <= 7; ++i) first.send("entry-" + std::to_string(i));
    first.store.mark_clean_stop();
    ASSERT_TRUE(first.journal.write(true).has_value());
  }
  Life second(dir.path(), "boot-2");
  EXPECT_EQ(second.skipped, 0u);
  uint64_t id = 0;
  second.send("entry-8", &id);
  EXPECT_EQ(id, 8u);
}

TEST(SequenceStore, AnUnknownBootCountsAsAMachineRestart) {
  testing::TempDir dir;
  { Life first(dir.path(), ""); first.send("entry-1"); }
  Life second(dir.path(), "");
  EXPECT_EQ(second.skipped, 1u);
}

TEST(SequenceStore, AReservationIsFlushedAgainAfterAFailedWrite) {
  testing::TempDir dir;
  StateJournal journal;  // never opened: every write fails
  SequenceStore store(journal);
  store.assign("entry-1", kDevice);
  EXPECT_TRUE(store.sync_needed());
  EXPECT_FALSE(journal.write(true).has_value());
  EXPECT_TRUE(store.sync_needed()) << "not flushed, so still needed";
}

}  // namespace
}  // namespace lnotify

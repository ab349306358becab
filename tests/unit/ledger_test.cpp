#include "lnotify/dispatcher/ledger.h"

#include <gtest/gtest.h>

#include "lnotify/dispatcher/daily_count.h"
#include "lnotify/dispatcher/sequence_store.h"
#include "temp_dir.h"

namespace lnotify {
namespace {

DispatchPolicy policy(unsigned limit, unsigned interval) {
  DispatchPolicy p;
  p.unanswered_limit = limit;
  p.wakeup_interval_secs = interval;
  return p;
}

TEST(Ledger, QuietPastTheLimitUntilTheClientReacts) {
  StateJournal journal;
  Ledger ledger(policy(2, 60), journal);
  const std::string a = "alice@example.test";
  EXPECT_FALSE(ledger.quiet(a));
  ledger.record_sent(a, {1000, 1, 10, false});
  EXPECT_FALSE(ledger.quiet(a));
  ledger.record_sent(a, {2000, 2, 11, false});
  EXPECT_TRUE(ledger.quiet(a));
  EXPECT_EQ(ledger.next_wakeup_ms(a, 3000), 3000) << "the first wake-up may go at once";
  ledger.record_sent(a, {3000, 3, 12, true});
  EXPECT_EQ(ledger.next_wakeup_ms(a, 4000), 63000);
  EXPECT_EQ(ledger.find(a)->unanswered, 3u);
  EXPECT_EQ(ledger.find(a)->since_ms, 1000);
  EXPECT_EQ(ledger.react(a, 5000), 3u);
  EXPECT_FALSE(ledger.quiet(a));
  EXPECT_EQ(ledger.find(a), nullptr);
}

TEST(Ledger, ZeroLimitNeverQuiets) {
  StateJournal journal;
  Ledger ledger(policy(0, 60), journal);
  for (int i = 0; i < 100; ++i) ledger.record_sent("a", {i, 0, 0, false});
  EXPECT_FALSE(ledger.quiet("a"));
}

TEST(Ledger, KeepsTheLatestDetailsAndTheWholeCount) {
  StateJournal journal;
  Ledger ledger(policy(100, 60), journal);
  for (uint32_t i = 1; i <= 20; ++i) ledger.record_sent("a", {i, i, i, false});
  const UserLedger* user = ledger.find("a");
  EXPECT_EQ(user->unanswered, 20u);
  ASSERT_EQ(user->recent.size(), Ledger::kDetail);
  EXPECT_EQ(user->recent.back().sequence_id, 20u);
  EXPECT_EQ(user->recent.front().sequence_id, 20u - Ledger::kDetail + 1);
}

// The three stores written to one journal and read back, through a
// snapshot and through plain replay.
TEST(DispatcherState, SurvivesReplayAndSnapshot) {
  testing::TempDir dir;
  const DispatchPolicy p = policy(2, 60);
  auto load = [&](StateJournal& journal, SequenceStore& seq, Ledger& ledger, DailyCounts& daily) {
    ASSERT_TRUE(journal
                    .open(dir.path(),
                          [&](const StateJournal::Line& line) {
                            bool known = seq.apply(line);
                            known = ledger.apply(line) || known;
                            known = daily.apply(line) || known;
                            EXPECT_TRUE(known) << line[0];
                          })
                    .has_value());
  };
  const int64_t day = 86400000LL * 19700;
  {
    StateJournal journal;
    SequenceStore seq(journal);
    Ledger ledger(p, journal);
    DailyCounts daily;
    load(journal, seq, ledger, daily);
    EXPECT_EQ(seq.assign("e1", "dev"), 1u);
    EXPECT_EQ(seq.assign("e2", "dev"), 2u);
    EXPECT_EQ(seq.assign("e1", "dev"), 1u) << "an entry keeps its id";
    seq.release("e1");
    ledger.record_sent("bob", {day + 5, 1, 7, false});
    daily.record("bob", day + 5);
    ledger.record_sent("carol", {day + 6, 1, 8, false});
    ledger.react("carol", day + 7);
    ASSERT_TRUE(journal.write(true).has_value());
  }
  for (int round = 0; round < 2; ++round) {
    StateJournal journal;
    SequenceStore seq(journal);
    Ledger ledger(p, journal);
    DailyCounts daily;
    load(journal, seq, ledger, daily);
    EXPECT_EQ(seq.last("dev"), 2u);
    EXPECT_EQ(seq.assigned("e2"), 2u) << "still queued: keeps its id";
    EXPECT_EQ(ledger.find("bob")->unanswered, 1u);
    EXPECT_EQ(ledger.find("bob")->recent.size(), 1u);
    EXPECT_EQ(ledger.find("carol"), nullptr);
    EXPECT_EQ(daily.sent_on_day_of("bob", day + 1000), 1u);
    EXPECT_EQ(daily.sent_on_day_of("bob", day + 86400000), 0u);
    // the second round reads the snapshot written here
    StateJournal::Snapshot snapshot;
    seq.snapshot(snapshot);
    ledger.snapshot(snapshot);
    daily.snapshot(snapshot);
    ASSERT_TRUE(journal.rewrite(snapshot).has_value());
  }
}

}  // namespace
}  // namespace lnotify

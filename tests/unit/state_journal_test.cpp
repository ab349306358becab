#include "lnotify/dispatcher/state_journal.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace lnotify {
namespace {

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<StateJournal::Line> replay(const std::string& dir, size_t* skipped = nullptr) {
  std::vector<StateJournal::Line> lines;
  StateJournal journal;
  auto opened = journal.open(dir, [&](const StateJournal::Line& line) { lines.push_back(line); });
  EXPECT_TRUE(opened.has_value()) << (opened ? "" : opened.error().message);
  if (skipped != nullptr) *skipped = journal.skipped_lines();
  return lines;
}

TEST(StateJournal, AppendedLinesAreReplayedInOrderWithEscaping) {
  testing::TempDir dir;
  {
    StateJournal journal;
    ASSERT_TRUE(journal.open(dir.path(), [](const auto&) {}).has_value());
    journal.append({"seq", "alice@example.test UDP 127.0.0.1:9", "1", "entry-1"});
    journal.append({"odd", "tab\there", "new\nline", "back\\slash"});
    EXPECT_TRUE(journal.has_pending());
    ASSERT_TRUE(journal.write(true).has_value());
    EXPECT_FALSE(journal.has_pending());
  }
  auto lines = replay(dir.path());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], (StateJournal::Line{"seq", "alice@example.test UDP 127.0.0.1:9", "1", "entry-1"}));
  EXPECT_EQ(lines[1], (StateJournal::Line{"odd", "tab\there", "new\nline", "back\\slash"}));
}

TEST(StateJournal, UnwrittenLinesAreNotInTheFile) {
  testing::TempDir dir;
  {
    StateJournal journal;
    ASSERT_TRUE(journal.open(dir.path(), [](const auto&) {}).has_value());
    journal.append({"a"});
    ASSERT_TRUE(journal.write(false).has_value());
    journal.append({"b"});  // the process dies before writing it
  }
  EXPECT_EQ(replay(dir.path()), (std::vector<StateJournal::Line>{{"a"}}));
}

TEST(StateJournal, ALineCutByACrashIsCutOffAndAppendingGoesOn) {
  testing::TempDir dir;
  {
    std::ofstream out(dir.path() + "/state");
    out << "lnotify-state 1\nlast\tdev\t4\nseq\tdev\t5\tentry-";  // no newline
  }
  auto lines = replay(dir.path());
  EXPECT_EQ(lines, (std::vector<StateJournal::Line>{{"last", "dev", "4"}}));
  {
    StateJournal journal;
    ASSERT_TRUE(journal.open(dir.path(), [](const auto&) {}).has_value());
    journal.append({"seq", "dev", "5", "entry-x"});
    ASSERT_TRUE(journal.write(true).has_value());
  }
  EXPECT_EQ(contents(dir.path() + "/state"),
            "lnotify-state 1\nlast\tdev\t4\nseq\tdev\t5\tentry-x\n");
}

TEST(StateJournal, UndecodableLinesAreSkippedAndCounted) {
  testing::TempDir dir;
  std::ofstream(dir.path() + "/state") << "lnotify-state 1\ngood\t1\nbad\\q\ngood\t2\n";
  size_t skipped = 0;
  auto lines = replay(dir.path(), &skipped);
  EXPECT_EQ(lines, (std::vector<StateJournal::Line>{{"good", "1"}, {"good", "2"}}));
  EXPECT_EQ(skipped, 1u);
}

TEST(StateJournal, AForeignFileIsRefused) {
  testing::TempDir dir;
  std::ofstream(dir.path() + "/state") << "something else\n";
  StateJournal journal;
  auto opened = journal.open(dir.path(), [](const auto&) {});
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().message.find("is not an lnotify state file"), std::string::npos);
}

TEST(StateJournal, AMissingDirectoryIsAClearError) {
  testing::TempDir dir;
  StateJournal journal;
  auto opened = journal.open(dir.path() + "/missing", [](const auto&) {});
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().message.find("state_dir must exist"), std::string::npos);
}

TEST(StateJournal, RewriteReplacesTheFileByTheSnapshot) {
  testing::TempDir dir;
  StateJournal journal;
  ASSERT_TRUE(journal.open(dir.path(), [](const auto&) {}).has_value());
  for (int i = 0; i < 100; ++i) journal.append({"seq", "dev", std::to_string(i), "e"});
  ASSERT_TRUE(journal.write(false).has_value());
  const size_t before = journal.size_bytes();
  StateJournal::Snapshot snapshot;
  snapshot.add({"last", "dev", "99"});
  ASSERT_TRUE(journal.rewrite(snapshot).has_value());
  EXPECT_LT(journal.size_bytes(), before);
  journal.append({"seq", "dev", "100", "f"});
  ASSERT_TRUE(journal.write(true).has_value());
  EXPECT_EQ(replay(dir.path()),
            (std::vector<StateJournal::Line>{{"last", "dev", "99"}, {"seq", "dev", "100", "f"}}));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/state.new"));
}

}  // namespace
}  // namespace lnotify

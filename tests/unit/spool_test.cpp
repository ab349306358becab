#include "lnotify/spool/spool.h"

#include <sys/stat.h>
#include <utime.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace lnotify {
namespace {

namespace fs = std::filesystem;

NotificationRequest request(uint32_t uid) {
  NotificationRequest r;
  r.user = "alice";
  r.account = "alice@example.test";
  r.mailbox = "INBOX";
  r.event = "MessageNew";
  r.uid = uid;
  r.uidvalidity = 7;
  r.timestamp = 1700000000;
  r.address = "127.0.0.1:9";
  return r;
}

mode_t mode_of(const std::string& p) {
  struct stat st;
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

void age(const std::string& p, long secs) {
  struct utimbuf times;
  times.actime = times.modtime = ::time(nullptr) - secs;
  ASSERT_EQ(::utime(p.c_str(), &times), 0);
}

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(spool.prepare().has_value()); }
  testing::TempDir dir;
  Spool spool{dir.path()};
};

TEST_F(SpoolTest, PrepareCreatesSubdirectoriesWithTheirModes) {
  EXPECT_EQ(mode_of(dir.path() + "/tmp"), 03733u);
  EXPECT_EQ(mode_of(dir.path() + "/incoming"), 03733u);
  EXPECT_EQ(mode_of(dir.path() + "/active"), 0700u);
  EXPECT_EQ(mode_of(dir.path() + "/corrupt"), 0700u);
  EXPECT_EQ(mode_of(dir.path() + "/presence"), 01733u);
  EXPECT_TRUE(spool.prepare().has_value()) << "prepare is idempotent";
}

TEST_F(SpoolTest, PrepareFailsClearlyWithoutTheDirectory) {
  auto result = Spool(dir.path() + "/missing").prepare();
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("missing"), std::string::npos);
}

TEST_F(SpoolTest, SubmittedRecordsAreClaimedInOrder) {
  std::vector<std::string> submitted;
  for (uint32_t uid = 1; uid <= 5; ++uid) {
    auto entry = spool.submit(request(uid), uid % 2 == 0);
    ASSERT_TRUE(entry.has_value()) << entry.error().message;
    EXPECT_EQ(mode_of(dir.path() + "/incoming/" + *entry), 0640u);
    submitted.push_back(*entry);
  }
  EXPECT_TRUE(fs::is_empty(dir.path() + "/tmp"));
  auto claimed = spool.claim_incoming();
  ASSERT_TRUE(claimed.has_value());
  EXPECT_EQ(*claimed, submitted);
  EXPECT_TRUE(fs::is_empty(dir.path() + "/incoming"));

  auto active = spool.active_entries();
  ASSERT_EQ(active, submitted);
  for (size_t i = 0; i < active.size(); ++i) {
    auto record = spool.read_active(active[i]);
    ASSERT_TRUE(record.has_value());
    auto decoded = decode_request(*record);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->uid, i + 1);
  }
  spool.remove_active(active[0]);
  spool.quarantine_active(active[1]);
  EXPECT_EQ(spool.active_entries().size(), 3u);
  EXPECT_TRUE(fs::exists(dir.path() + "/corrupt/" + active[1]));
}

TEST_F(SpoolTest, SubmitFailsWithoutTheSpool) {
  auto entry = Spool(dir.path() + "/missing").submit(request(1), false);
  ASSERT_FALSE(entry.has_value());
  EXPECT_NE(entry.error().message.find("open("), std::string::npos);
}

TEST_F(SpoolTest, RecoversCompleteRecordsLeftInTmp) {
  const std::string complete = dir.path() + "/tmp/0000000000000001-1-0-0";
  const std::string partial = dir.path() + "/tmp/0000000000000002-1-0-0";
  const std::string fresh = dir.path() + "/tmp/0000000000000003-1-0-0";
  std::string record = encode_request(request(9));
  std::ofstream(complete) << record;
  std::ofstream(partial) << record.substr(0, record.size() / 2);
  std::ofstream(fresh) << record;
  age(complete, 600);
  age(partial, 600);

  auto result = spool.recover_tmp(300);
  EXPECT_EQ(result.recovered, std::vector<std::string>{"0000000000000001-1-0-0"});
  EXPECT_EQ(result.removed, std::vector<std::string>{"0000000000000002-1-0-0"});
  EXPECT_TRUE(fs::exists(dir.path() + "/incoming/0000000000000001-1-0-0"));
  EXPECT_TRUE(fs::exists(fresh)) << "a writer may still be about to rename it";
}

TEST_F(SpoolTest, ReactionsTravelLikeRequestsAndAreRecoveredFromTmp) {
  auto first = spool.submit(request(1), false);
  auto reaction = spool.submit_reaction({"alice@example.test", 1700000001, "login"});
  auto second = spool.submit(request(2), false);
  ASSERT_TRUE(first && reaction && second);
  auto claimed = spool.claim_incoming();
  ASSERT_TRUE(claimed.has_value());
  ASSERT_EQ(*claimed, (std::vector<std::string>{*first, *reaction, *second}));
  auto record = spool.read_active(*reaction);
  ASSERT_TRUE(record.has_value());
  ASSERT_TRUE(is_reaction_record(*record));
  auto decoded = decode_reaction(*record);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->account, "alice@example.test");
  EXPECT_EQ(decoded->timestamp, 1700000001);
  EXPECT_EQ(decoded->how, "login");

  const std::string left = dir.path() + "/tmp/0000000000000004-1-0-0";
  std::ofstream(left) << encode_reaction({"bob@example.test", 1, "select"});
  age(left, 600);
  EXPECT_EQ(spool.recover_tmp(300).recovered, std::vector<std::string>{"0000000000000004-1-0-0"});
}

}  // namespace
}  // namespace lnotify

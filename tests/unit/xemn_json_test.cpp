#include "lnotify/payload/xemn_json.h"

#include <gtest/gtest.h>

#include "json_check.h"
#include "core/json_writer.h"
#include "random_text.h"
#include "test_data.h"

namespace lnotify {
namespace {

using testing::read_data;
using testing::read_flat_json;

XemnFacts full_facts() {
  XemnFacts f;
  f.mailbox_uri = "mailat:joe@foo.com";
  f.timestamp = 1077259200;
  f.event = "MessageNew";
  f.view = "INBOX";
  f.sequence_id = 7;
  f.uid = 42;
  f.uidvalidity = 1077000000;
  f.sender = "J\xC3\xB6rg <joerg@foo.com>";
  f.datetime = 1077259080;
  f.subject = "Lunch & <games>";
  f.snippet = "See you at \"noon\".\nJ.";
  return f;
}

TEST(XemnJson, MatchesTheGoldenDocument) {
  EXPECT_EQ(encode_xemn_json(full_facts()) + "\n", read_data("xemn-full.json"));
}

TEST(XemnJson, MembersReadBack) {
  auto object = read_flat_json(encode_xemn_json(full_facts()));
  ASSERT_TRUE(object.has_value());
  using V = testing::JsonValue;
  EXPECT_EQ(object->at("event"), V(std::string("MessageNew")));
  EXPECT_EQ(object->at("mailbox"), V(std::string("mailat:joe@foo.com")));
  EXPECT_EQ(object->at("view"), V(std::string("INBOX")));
  EXPECT_EQ(object->at("uidvalidity"), V(int64_t{1077000000}));
  EXPECT_EQ(object->at("uid"), V(int64_t{42}));
  EXPECT_EQ(object->at("sequence-id"), V(int64_t{7}));
  EXPECT_EQ(object->at("sender"), V(std::string("J\xC3\xB6rg <joerg@foo.com>")));
  EXPECT_EQ(object->at("subject"), V(std::string("Lunch & <games>")));
  EXPECT_EQ(object->at("snippet"), V(std::string("See you at \"noon\".\nJ.")));
  EXPECT_EQ(object->at("datetime"), V(std::string("2004-02-20T06:38:00Z")));
  EXPECT_EQ(object->at("timestamp"), V(std::string("2004-02-20T06:40:00Z")));
  EXPECT_EQ(object->size(), 11u);
}

TEST(XemnJson, CarriesASieveMessageAndImportance) {
  XemnFacts f = full_facts();
  f.message = "Urgent: \"lunch\"";
  f.importance = 1;
  auto object = read_flat_json(encode_xemn_json(f));
  ASSERT_TRUE(object.has_value());
  using V = testing::JsonValue;
  EXPECT_EQ(object->at("message"), V(std::string("Urgent: \"lunch\"")));
  EXPECT_EQ(object->at("importance"), V(int64_t{1}));
  EXPECT_EQ(object->at("snippet"), V(std::string("See you at \"noon\".\nJ.")));
  EXPECT_EQ(object->size(), 13u);
}

TEST(XemnJson, WakeupHasTheEmnMembers) {
  EXPECT_EQ(encode_wakeup_json({"mailat:joe@foo.com", 1077259200}),
            "{\"mailbox\":\"mailat:joe@foo.com\",\"timestamp\":\"2004-02-20T06:40:00Z\"}");
}

TEST(JsonWriter, EscapesWhatJsonRequires) {
  std::string out;
  json::append_string(out, "q\" b\\ t\t n\n r\r nul" + std::string(1, '\0') + " bell\x07 del\x7F");
  EXPECT_EQ(out, "\"q\\\" b\\\\ t\\t n\\n r\\r nul bell del\"");
  out.clear();
  json::append_string(out, "bad\xFF ls\xE2\x80\xA8 ps\xE2\x80\xA9 euro\xE2\x82\xAC");
  EXPECT_EQ(out, "\"bad\xEF\xBF\xBD ls\\u2028 ps\\u2029 euro\xE2\x82\xAC\"");
}

TEST(XemnJson, HostileTextAlwaysGivesValidJson) {
  testing::RandomText random(8259);
  for (int i = 0; i < 200; ++i) {
    XemnFacts f = full_facts();
    f.sender = random.next();
    f.subject = random.next();
    f.snippet = random.next();
    f.view = random.next();
    const std::string json = encode_xemn_json(f);
    auto object = read_flat_json(json);
    ASSERT_TRUE(object.has_value()) << "case " << i;
    if (object->count("subject")) {
      EXPECT_TRUE(testing::clean_utf8(std::get<std::string>(object->at("subject"))));
    }
  }
}

}  // namespace
}  // namespace lnotify

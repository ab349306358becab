#include "lnotify/payload/wsp_push.h"

#include <gtest/gtest.h>

#include "lnotify/payload/wbxml_emn.h"
#include "test_data.h"

namespace lnotify {
namespace {

using testing::from_hex;
using testing::to_hex;

TEST(WspPush, MatchesTheEmnPushVector) {
  // doc/payloads.md (Test vectors) (decoded by tshark as a WSP Push with
  // Content-Type 0x30A and X-Wap-Application-Id x-wap-application:emn.ua),
  // with ".org" inline.
  WspPush push;
  push.transaction_id = 0x01;
  push.body = encode_emn_wbxml({"mailat:user@wapforum.org", 1018939200});
  const std::string pdu = encode_wsp_push(push);
  EXPECT_EQ(to_hex(pdu.substr(0, 9)), "01 06 06 03 02 03 0a af 89");
  EXPECT_EQ(pdu.substr(9), push.body);
  EXPECT_EQ(pdu.size(), 44u);
}

TEST(WspPush, ShortContentTypesAndNoApplicationId) {
  WspPush push;
  push.transaction_id = 0xFE;
  push.content_type = 0x2E;  // a well-known type below 0x80: one octet
  push.application_id.reset();
  push.body = "x";
  EXPECT_EQ(to_hex(encode_wsp_push(push)), "fe 06 01 ae 78");
}

TEST(WspPush, XmlContentTypeUsesTheLongForm) {
  WspPush push;
  push.content_type = kWspContentTypeEmnXml;
  EXPECT_EQ(to_hex(encode_wsp_push(push)), "00 06 06 03 02 03 04 af 89");
}

TEST(WspPush, Uintvar) {
  // WAP-230 §8.1.2 examples and the edges of each octet count.
  EXPECT_EQ(to_hex(encode_uintvar(0)), "00");
  EXPECT_EQ(to_hex(encode_uintvar(0x7F)), "7f");
  EXPECT_EQ(to_hex(encode_uintvar(0x80)), "81 00");
  EXPECT_EQ(to_hex(encode_uintvar(0x3FFF)), "ff 7f");
  EXPECT_EQ(to_hex(encode_uintvar(0x4000)), "81 80 00");
  EXPECT_EQ(to_hex(encode_uintvar(0xFFFFFFFF)), "8f ff ff ff 7f");
}

}  // namespace
}  // namespace lnotify

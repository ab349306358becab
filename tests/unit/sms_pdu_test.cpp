#include "lnotify/payload/sms_pdu.h"

#include <gtest/gtest.h>

#include "test_data.h"

namespace lnotify {
namespace {

using testing::to_hex;

TEST(SmsPdu, OneMessageCarriesPortsOnly) {
  auto parts = segment_for_sms(std::string(133, 'x'), 0x42);
  ASSERT_TRUE(parts.has_value());
  ASSERT_EQ(parts->size(), 1u);
  // Kannel's PPG header: dest 2948 (0x0B84), source 9200 (0x23F0).
  EXPECT_EQ(to_hex((*parts)[0].udh), "06 05 04 0b 84 23 f0");
  EXPECT_EQ((*parts)[0].data, std::string(133, 'x'));
  EXPECT_EQ((*parts)[0].user_data().size(), kSmsUserDataOctets);
}

TEST(SmsPdu, LongPayloadIsConcatenatedAsKannelDoes) {
  // doc/payloads.md (Test vectors): Kannel split 250 bytes into 128 + 122 with
  // UDH 0B 05 04 0B 84 23 F0 00 03 01 02 01 / ... 02 02.
  std::string payload;
  for (int i = 0; i < 250; ++i) payload += static_cast<char>(i);
  auto parts = segment_for_sms(payload, 0x01);
  ASSERT_TRUE(parts.has_value());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ(to_hex((*parts)[0].udh), "0b 05 04 0b 84 23 f0 00 03 01 02 01");
  EXPECT_EQ(to_hex((*parts)[1].udh), "0b 05 04 0b 84 23 f0 00 03 01 02 02");
  EXPECT_EQ((*parts)[0].data.size(), 128u);
  EXPECT_EQ((*parts)[1].data.size(), 122u);
  EXPECT_EQ((*parts)[0].data + (*parts)[1].data, payload);
  for (const auto& part : *parts) EXPECT_LE(part.user_data().size(), kSmsUserDataOctets);
}

TEST(SmsPdu, Port143AndTheReferenceNumber) {
  auto parts = segment_for_sms(std::string(134, 'y'), 0xA7, kImapPort);
  ASSERT_TRUE(parts.has_value());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ(to_hex((*parts)[1].udh), "0b 05 04 00 8f 23 f0 00 03 a7 02 02");
  EXPECT_EQ((*parts)[1].data.size(), 6u);
}

TEST(SmsPdu, TwoHundredFiftyFivePartsAtMost) {
  EXPECT_TRUE(segment_for_sms(std::string(255 * 128, 'z'), 1).has_value());
  auto too_long = segment_for_sms(std::string(255 * 128 + 1, 'z'), 1);
  ASSERT_FALSE(too_long.has_value());
  EXPECT_FALSE(too_long.error().temporary());
}

}  // namespace
}  // namespace lnotify

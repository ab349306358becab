#include "lnotify/notification.h"

#include <charconv>

#include "record.h"
#include "text_util.h"

namespace lnotify {
namespace {

constexpr std::string_view kRecordHeader = "lnotify-request 1";

template <typename Int>
Result<Int> parse_int(const record::Parsed& fields, const char* key) {
  auto text = record::required(fields, key);
  if (!text) return text.error();
  Int value{};
  const std::string& s = *text;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty())
    return permanent_error(std::string("record has an invalid ") + key);
  return value;
}

}  // namespace

std::string encode_request(const NotificationRequest& r) {
  const std::string uid = std::to_string(r.uid);
  const std::string uidvalidity = std::to_string(r.uidvalidity);
  const std::string timestamp = std::to_string(r.timestamp);
  return record::encode(kRecordHeader, {
                                           {"user", r.user},
                                           {"account", r.account},
                                           {"mailbox", r.mailbox},
                                           {"event", r.event},
                                           {"uid", uid},
                                           {"uidvalidity", uidvalidity},
                                           {"timestamp", timestamp},
                                           {"channel", channel_name(r.channel)},
                                           {"format", format_name(r.format)},
                                           {"address", r.address},
                                       });
}

Result<NotificationRequest> decode_request(std::string_view text) {
  auto fields = record::decode(kRecordHeader, text);
  if (!fields) return fields.error();

  NotificationRequest r;
  for (auto [key, target] : {std::pair{"user", &r.user}, std::pair{"account", &r.account},
                             std::pair{"mailbox", &r.mailbox}, std::pair{"event", &r.event},
                             std::pair{"address", &r.address}}) {
    auto value = record::required(*fields, key);
    if (!value) return value.error();
    *target = std::move(*value);
  }
  auto uid = parse_int<uint32_t>(*fields, "uid");
  if (!uid) return uid.error();
  auto uidvalidity = parse_int<uint32_t>(*fields, "uidvalidity");
  if (!uidvalidity) return uidvalidity.error();
  auto timestamp = parse_int<int64_t>(*fields, "timestamp");
  if (!timestamp) return timestamp.error();
  r.uid = *uid;
  r.uidvalidity = *uidvalidity;
  r.timestamp = *timestamp;

  auto channel = record::required(*fields, "channel");
  if (!channel) return channel.error();
  auto kind = channel_from_name(*channel);
  if (!kind) return permanent_error("record names an unknown channel");
  r.channel = *kind;

  auto format = record::required(*fields, "format");
  if (!format) return format.error();
  if (text::iequals(*format, "WAKEUP"))
    r.format = PayloadFormat::Wakeup;
  else if (text::iequals(*format, "EXTENDED"))
    r.format = PayloadFormat::Extended;
  else
    return permanent_error("record names an unknown format");
  return r;
}

}  // namespace lnotify

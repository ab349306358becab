#include "lnotify/request/notification.h"

#include <charconv>

#include "core/record.h"
#include "core/text_util.h"

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

// An optional numeric field: absent reads as 0, present must parse.
template <typename Int>
Result<Int> optional_int(const record::Parsed& fields, const char* key) {
  if (fields.find(key) == fields.end()) return Int{0};
  return parse_int<Int>(fields, key);
}

}  // namespace

std::string encode_request(const NotificationRequest& r) {
  const std::string uid = std::to_string(r.uid);
  const std::string uidvalidity = std::to_string(r.uidvalidity);
  const std::string timestamp = std::to_string(r.timestamp);
  record::Fields fields{
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
  };
  // Optional facts (for extended payloads): only when known.
  const std::string datetime = std::to_string(r.datetime);
  const std::string sequence_id = std::to_string(r.sequence_id);
  const std::string size_limit = std::to_string(r.size_limit);
  const std::string daily_limit = std::to_string(r.daily_limit);
  for (auto [key, value] : {std::pair<std::string_view, std::string_view>{"sender", r.sender},
                            {"subject", r.subject},
                            {"snippet", r.snippet},
                            {"view", r.view},
                            {"p256dh", r.device_p256dh},
                            {"auth", r.device_auth},
                            {"message", r.message},
                            {"validation", r.validation}}) {
    if (!value.empty()) fields.emplace_back(key, value);
  }
  if (r.datetime != 0) fields.emplace_back("datetime", datetime);
  if (r.sequence_id != 0) fields.emplace_back("sequence-id", sequence_id);
  if (r.size_limit != 0) fields.emplace_back("size-limit", size_limit);
  const std::string importance = std::to_string(r.importance);
  if (r.importance != 0) fields.emplace_back("importance", importance);
  if (r.daily_limit != 0) fields.emplace_back("daily-limit", daily_limit);
  if (r.test) fields.emplace_back("test", "1");
  const std::string reminder = std::to_string(r.reminder);
  if (r.reminder != 0) fields.emplace_back("reminder", reminder);
  const std::string messages = std::to_string(r.messages);
  const std::string unseen = std::to_string(r.unseen);
  if (r.s2s) {
    fields.emplace_back("s2s", r.mwi ? "mwi" : "event");
    fields.emplace_back("messages", messages);
    fields.emplace_back("unseen", unseen);
  }
  return record::encode(kRecordHeader, fields);
}

Result<NotificationRequest> decode_request(std::string_view text) {
  auto parsed = record::decode(kRecordHeader, text);
  if (!parsed) return parsed.error();
  record::Parsed& fields = *parsed;

  NotificationRequest r;
  for (auto [key, target] : {std::pair{"user", &r.user}, std::pair{"account", &r.account},
                             std::pair{"mailbox", &r.mailbox}, std::pair{"event", &r.event},
                             std::pair{"address", &r.address}}) {
    auto value = record::required(fields, key);
    if (!value) return value.error();
    *target = std::move(*value);
  }
  auto uid = parse_int<uint32_t>(fields, "uid");
  if (!uid) return uid.error();
  auto uidvalidity = parse_int<uint32_t>(fields, "uidvalidity");
  if (!uidvalidity) return uidvalidity.error();
  auto timestamp = parse_int<int64_t>(fields, "timestamp");
  if (!timestamp) return timestamp.error();
  r.uid = *uid;
  r.uidvalidity = *uidvalidity;
  r.timestamp = *timestamp;

  auto channel = record::required(fields, "channel");
  if (!channel) return channel.error();
  auto kind = channel_from_name(*channel);
  if (!kind) return permanent_error("record names an unknown channel");
  r.channel = *kind;

  auto format = record::required(fields, "format");
  if (!format) return format.error();
  if (text::iequals(*format, "WAKEUP"))
    r.format = PayloadFormat::Wakeup;
  else if (text::iequals(*format, "EXTENDED"))
    r.format = PayloadFormat::Extended;
  else
    return permanent_error("record names an unknown format");

  for (auto [key, target] : {std::pair{"sender", &r.sender}, std::pair{"subject", &r.subject},
                             std::pair{"snippet", &r.snippet}, std::pair{"view", &r.view},
                             std::pair{"p256dh", &r.device_p256dh},
                             std::pair{"auth", &r.device_auth},
                             std::pair{"message", &r.message},
                             std::pair{"validation", &r.validation}}) {
    if (auto it = fields.find(key); it != fields.end()) *target = std::move(it->second);
  }
  auto datetime = optional_int<int64_t>(fields, "datetime");
  if (!datetime) return datetime.error();
  auto sequence_id = optional_int<uint64_t>(fields, "sequence-id");
  if (!sequence_id) return sequence_id.error();
  auto size_limit = optional_int<uint32_t>(fields, "size-limit");
  if (!size_limit) return size_limit.error();
  r.datetime = *datetime;
  r.sequence_id = *sequence_id;
  auto daily_limit = optional_int<uint32_t>(fields, "daily-limit");
  if (!daily_limit) return daily_limit.error();
  auto test = optional_int<unsigned>(fields, "test");
  if (!test) return test.error();
  auto reminder = optional_int<uint32_t>(fields, "reminder");
  if (!reminder) return reminder.error();
  r.reminder = *reminder;
  r.size_limit = *size_limit;
  auto importance = optional_int<uint8_t>(fields, "importance");
  if (!importance) return importance.error();
  if (*importance > 3) return permanent_error("record has an invalid importance");
  r.importance = *importance;
  r.daily_limit = *daily_limit;
  r.test = *test != 0;
  if (auto s2s = fields.find("s2s"); s2s != fields.end()) {
    if (s2s->second != "event" && s2s->second != "mwi")
      return permanent_error("record has an invalid s2s kind");
    r.s2s = true;
    r.mwi = s2s->second == "mwi";
    auto messages = optional_int<uint32_t>(fields, "messages");
    if (!messages) return messages.error();
    auto unseen = optional_int<uint32_t>(fields, "unseen");
    if (!unseen) return unseen.error();
    r.messages = *messages;
    r.unseen = *unseen;
  }
  return r;
}

}  // namespace lnotify

#include "lnotify/notification.h"

#include <charconv>
#include <map>

#include "text_util.h"

namespace lnotify {
namespace {

constexpr std::string_view kRecordHeader = "lnotify-request 1";
// The last line: a record without it was cut short.
constexpr std::string_view kRecordEnd = "end";

void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\0': out += "\\0"; break;
      default: out += c;
    }
  }
}

Result<std::string> unescape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '\\') {
      out += value[i];
      continue;
    }
    if (++i == value.size()) return permanent_error("record ends inside an escape");
    switch (value[i]) {
      case '\\': out += '\\'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case '0': out += '\0'; break;
      default: return permanent_error("unknown escape in record");
    }
  }
  return out;
}

void field(std::string& out, std::string_view key, std::string_view value) {
  out += key;
  out += '\t';
  append_escaped(out, value);
  out += '\n';
}

template <typename Int>
Result<Int> parse_int(const std::map<std::string, std::string>& fields, const char* key) {
  auto it = fields.find(key);
  if (it == fields.end()) return permanent_error(std::string("record lacks ") + key);
  Int value{};
  const std::string& s = it->second;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty())
    return permanent_error(std::string("record has an invalid ") + key);
  return value;
}

// An optional numeric field: absent reads as 0, present must parse.
template <typename Int>
Result<Int> optional_int(const std::map<std::string, std::string>& fields, const char* key) {
  if (fields.find(key) == fields.end()) return Int{0};
  return parse_int<Int>(fields, key);
}

Result<std::string> required(const std::map<std::string, std::string>& fields, const char* key) {
  auto it = fields.find(key);
  if (it == fields.end()) return permanent_error(std::string("record lacks ") + key);
  return it->second;
}

}  // namespace

std::string encode_request(const NotificationRequest& r) {
  std::string out(kRecordHeader);
  out += '\n';
  field(out, "user", r.user);
  field(out, "account", r.account);
  field(out, "mailbox", r.mailbox);
  field(out, "event", r.event);
  field(out, "uid", std::to_string(r.uid));
  field(out, "uidvalidity", std::to_string(r.uidvalidity));
  field(out, "timestamp", std::to_string(r.timestamp));
  field(out, "channel", channel_name(r.channel));
  field(out, "format", format_name(r.format));
  field(out, "address", r.address);
  // Optional facts (added with the extended payloads): only when known.
  auto optional_field = [&](std::string_view key, std::string_view value) {
    if (!value.empty()) field(out, key, value);
  };
  auto optional_number = [&](std::string_view key, auto value) {
    if (value != 0) field(out, key, std::to_string(value));
  };
  optional_field("sender", r.sender);
  optional_field("subject", r.subject);
  optional_field("snippet", r.snippet);
  optional_number("datetime", r.datetime);
  optional_field("view", r.view);
  optional_number("sequence-id", r.sequence_id);
  optional_number("size-limit", r.size_limit);
  optional_field("p256dh", r.device_p256dh);
  optional_field("auth", r.device_auth);
  out += kRecordEnd;
  out += '\n';
  return out;
}

Result<NotificationRequest> decode_request(std::string_view record) {
  size_t eol = record.find('\n');
  if (eol == std::string_view::npos || record.substr(0, eol) != kRecordHeader)
    return permanent_error("not an lnotify request record (bad first line)");
  record.remove_prefix(eol + 1);

  std::map<std::string, std::string> fields;
  for (;;) {
    eol = record.find('\n');
    if (eol == std::string_view::npos) return permanent_error("record is truncated");
    std::string_view line = record.substr(0, eol);
    record.remove_prefix(eol + 1);
    if (line == kRecordEnd) {
      if (!record.empty()) return permanent_error("data after the end of the record");
      break;
    }
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) return permanent_error("record line without a value");
    auto value = unescape(line.substr(tab + 1));
    if (!value) return value.error();
    fields.insert_or_assign(std::string(line.substr(0, tab)), std::move(*value));
  }

  NotificationRequest r;
  for (auto [key, target] : {std::pair{"user", &r.user}, std::pair{"account", &r.account},
                             std::pair{"mailbox", &r.mailbox}, std::pair{"event", &r.event},
                             std::pair{"address", &r.address}}) {
    auto value = required(fields, key);
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

  auto channel = required(fields, "channel");
  if (!channel) return channel.error();
  auto kind = channel_from_name(*channel);
  if (!kind) return permanent_error("record names an unknown channel");
  r.channel = *kind;

  auto format = required(fields, "format");
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
                             std::pair{"auth", &r.device_auth}}) {
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
  r.size_limit = *size_limit;
  return r;
}

}  // namespace lnotify

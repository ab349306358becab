#include "lnotify/spool/reaction.h"

#include <charconv>

#include "core/record.h"

namespace lnotify {
namespace {

constexpr std::string_view kRecordHeader = "lnotify-reaction 1";

}  // namespace

std::string encode_reaction(const ClientReaction& reaction) {
  const std::string timestamp = std::to_string(reaction.timestamp);
  return record::encode(kRecordHeader, {{"account", reaction.account},
                                        {"timestamp", timestamp},
                                        {"how", reaction.how}});
}

bool is_reaction_record(std::string_view record) {
  return record.substr(0, kRecordHeader.size() + 1) == std::string(kRecordHeader) + "\n";
}

Result<ClientReaction> decode_reaction(std::string_view text) {
  auto parsed = record::decode(kRecordHeader, text);
  if (!parsed) return parsed.error();
  ClientReaction reaction;
  auto account = record::required(*parsed, "account");
  if (!account) return account.error();
  if (account->empty()) return permanent_error("reaction record names no account");
  reaction.account = std::move(*account);
  auto timestamp = record::required(*parsed, "timestamp");
  if (!timestamp) return timestamp.error();
  const std::string& t = *timestamp;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), reaction.timestamp);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size())
    return permanent_error("reaction record has an invalid timestamp");
  if (auto how = parsed->find("how"); how != parsed->end()) reaction.how = how->second;
  return reaction;
}

}  // namespace lnotify

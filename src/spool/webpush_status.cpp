#include "lnotify/spool/webpush_status.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <ctime>

#include "core/posix_util.h"
#include "core/record.h"

namespace lnotify {
namespace {

constexpr std::string_view kHeader = "lnotify-webpush-status 1";
constexpr const char* kDir = "/status";
constexpr size_t kMaxFileBytes = 65536;

bool plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '@' || c == '-';
}

std::string file_name(std::string_view account) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string name;
  for (unsigned char c : account) {
    if (plain(static_cast<char>(c))) {
      name += static_cast<char>(c);
    } else {
      name += '%';
      name += kHex[c >> 4];
      name += kHex[c & 0xF];
    }
  }
  // "." and ".." are no file names; a leading '.' is escaped.
  if (!name.empty() && name.front() == '.') name.replace(0, 1, "%2E");
  return name;
}

std::optional<GoneEndpoint> parse_line(std::string_view value) {
  // "<code> <since> <endpoint>"
  size_t sp1 = value.find(' ');
  if (sp1 == std::string_view::npos) return std::nullopt;
  size_t sp2 = value.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return std::nullopt;
  GoneEndpoint gone;
  auto code = value.substr(0, sp1);
  auto since = value.substr(sp1 + 1, sp2 - sp1 - 1);
  if (std::from_chars(code.data(), code.data() + code.size(), gone.code).ec != std::errc() ||
      std::from_chars(since.data(), since.data() + since.size(), gone.since).ec != std::errc())
    return std::nullopt;
  gone.endpoint = std::string(value.substr(sp2 + 1));
  if (gone.endpoint.empty()) return std::nullopt;
  return gone;
}

}  // namespace

std::string webpush_status_path(const std::string& spool_dir, std::string_view account) {
  return spool_dir + kDir + "/" + file_name(account);
}

Result<void> prepare_webpush_status_dir(const std::string& spool_dir) {
  const std::string path = spool_dir + kDir;
  if (::mkdir(path.c_str(), 0755) < 0 && errno != EEXIST)
    return permanent_error(posix::syscall_error("mkdir", path));
  // readable by the mail processes of any uid, writable by the dispatcher only
  if (::chmod(path.c_str(), 0755) < 0) return permanent_error(posix::syscall_error("chmod", path));
  return {};
}

Result<std::vector<GoneEndpoint>> read_gone_endpoints(const std::string& spool_dir,
                                                      std::string_view account) {
  const std::string path = webpush_status_path(spool_dir, account);
  std::vector<GoneEndpoint> list;
  posix::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return list;
    return temporary_error(posix::syscall_error("open", path));
  }
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof(buf))) > 0) {
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxFileBytes) return permanent_error(path + " is too large");
  }
  if (n < 0) return temporary_error(posix::syscall_error("read", path));
  auto fields = record::decode(kHeader, text);
  if (!fields) return permanent_error(path + ": " + fields.error().message);
  auto owner = fields->find("account");
  // a file of another account (cannot happen with the escaping, but a file
  // put there by hand must not show one user another's endpoint)
  if (owner == fields->end() || owner->second != account) return list;
  for (size_t i = 0; i < kMaxGoneEndpoints; ++i) {
    auto it = fields->find("gone." + std::to_string(i));
    if (it == fields->end()) break;
    if (auto gone = parse_line(it->second)) list.push_back(std::move(*gone));
  }
  return list;
}

Result<void> mark_endpoint_gone(const std::string& spool_dir, std::string_view account,
                                const GoneEndpoint& gone) {
  auto old = read_gone_endpoints(spool_dir, account);
  std::vector<GoneEndpoint> list{gone};
  if (old) {
    for (auto& g : *old)
      if (g.endpoint != gone.endpoint && list.size() < kMaxGoneEndpoints) list.push_back(std::move(g));
  }
  std::vector<std::string> keys, values;
  for (size_t i = 0; i < list.size(); ++i) {
    keys.push_back("gone." + std::to_string(i));
    values.push_back(std::to_string(list[i].code) + " " + std::to_string(list[i].since) + " " +
                     list[i].endpoint);
  }
  record::Fields fields{{"account", account}};
  for (size_t i = 0; i < list.size(); ++i) fields.emplace_back(keys[i], values[i]);
  const std::string text = record::encode(kHeader, fields);

  const std::string path = webpush_status_path(spool_dir, account);
  const std::string tmp = path + ".tmp";
  posix::UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return temporary_error(posix::syscall_error("open", tmp));
  if (::fchmod(fd.get(), 0644) < 0 ||
      !posix::write_all(fd.get(), text, tmp) ||
      fd.close() < 0) {
    ::unlink(tmp.c_str());
    return temporary_error(posix::syscall_error("write", tmp));
  }
  if (::rename(tmp.c_str(), path.c_str()) < 0)
    return temporary_error(posix::syscall_error("rename", tmp));
  return {};
}

std::optional<GoneEndpoint> find_gone_endpoint(const std::string& spool_dir,
                                               std::string_view account,
                                               std::string_view endpoint) {
  auto list = read_gone_endpoints(spool_dir, account);
  if (!list) return std::nullopt;
  for (auto& g : *list)
    if (g.endpoint == endpoint) return std::move(g);
  return std::nullopt;
}

std::string webpush_status_value(const GoneEndpoint& gone) {
  char when[32] = "";
  const time_t t = static_cast<time_t>(gone.since);
  struct tm tm {};
  gmtime_r(&t, &tm);
  strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return "gone " + std::to_string(gone.code) + " " + when + " " + gone.endpoint;
}

}  // namespace lnotify

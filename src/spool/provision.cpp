#include "lnotify/spool/provision.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/posix_util.h"
#include "core/record.h"

namespace lnotify {
namespace {

constexpr std::string_view kHeader = "lnotify-provision 1";

std::string optional_field(const record::Parsed& fields, const char* key) {
  auto it = fields.find(key);
  return it == fields.end() ? std::string() : it->second;
}

}  // namespace

std::string encode_provision(const Provision& p) {
  return record::encode(kHeader, {{"channels", p.channels},
                                  {"credential", p.credential},
                                  {"security", p.security},
                                  {"vapid-key", p.vapid_key},
                                  {"destinations", p.destinations},
                                  {"s2s", p.s2s},
                                  {"mwi-mailboxes", p.mwi_mailboxes},
                                  {"webpush-http-hosts", p.webpush_http_hosts},
                                  {"deltachat", p.deltachat},
                                  {"deltachat-maxsmtprecipients", p.deltachat_max_smtp_recipients}});
}

Result<Provision> decode_provision(std::string_view text) {
  auto fields = record::decode(kHeader, text);
  if (!fields) return fields.error();
  Provision p;
  p.channels = optional_field(*fields, "channels");
  p.credential = optional_field(*fields, "credential");
  p.security = optional_field(*fields, "security");
  p.vapid_key = optional_field(*fields, "vapid-key");
  p.destinations = optional_field(*fields, "destinations");
  p.s2s = optional_field(*fields, "s2s");
  p.mwi_mailboxes = optional_field(*fields, "mwi-mailboxes");
  p.webpush_http_hosts = optional_field(*fields, "webpush-http-hosts");
  p.deltachat = optional_field(*fields, "deltachat");
  p.deltachat_max_smtp_recipients = optional_field(*fields, "deltachat-maxsmtprecipients");
  return p;
}

Result<void> write_provision(const std::string& spool_dir, const Provision& provision) {
  const std::string path = spool_dir + "/provision";
  const std::string tmp = path + ".tmp";
  const std::string text = encode_provision(provision);
  posix::UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return permanent_error(posix::syscall_error("open", tmp));
  if (::fchmod(fd.get(), 0644) < 0 ||
      !posix::write_all(fd.get(), text, tmp) ||
      fd.close() < 0) {
    ::unlink(tmp.c_str());
    return permanent_error(posix::syscall_error("write", tmp));
  }
  if (::rename(tmp.c_str(), path.c_str()) < 0)
    return permanent_error(posix::syscall_error("rename", tmp));
  return {};
}

Result<Provision> read_provision(const std::string& spool_dir) {
  const std::string path = spool_dir + "/provision";
  posix::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid())
    return permanent_error(posix::syscall_error("open", path) +
                           " (lnotify-dispatch writes it when it starts)");
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof(buf))) > 0) {
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > 65536) return permanent_error(path + " is too large");
  }
  if (n < 0) return permanent_error(posix::syscall_error("read", path));
  auto provision = decode_provision(text);
  if (!provision) return permanent_error(path + ": " + provision.error().message);
  return provision;
}

}  // namespace lnotify

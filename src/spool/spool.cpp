#include "lnotify/spool/spool.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>

#include "core/posix_util.h"

namespace lnotify {
namespace {

using posix::syscall_error;
using posix::UniqueFd;

constexpr const char* kTmp = "tmp";
constexpr const char* kIncoming = "incoming";
constexpr const char* kActive = "active";
constexpr const char* kCorrupt = "corrupt";
// IMAP sessions' presence files (lnotify-presence.c in the glue).
constexpr const char* kPresence = "presence";

// A record is a few hundred bytes; anything far larger is not ours.
constexpr size_t kMaxRecordSize = 64 * 1024;

// Sortable, unique across processes: microseconds since the epoch in fixed
// width, then pid, a per-process counter and random bits against pid reuse.
std::string new_entry_name() {
  static std::atomic<uint32_t> counter{0};
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  uint64_t usecs = static_cast<uint64_t>(now.tv_sec) * 1000000u + now.tv_nsec / 1000;
  uint32_t random_bits = 0;
  if (getrandom(&random_bits, sizeof(random_bits), GRND_NONBLOCK) != sizeof(random_bits))
    random_bits = static_cast<uint32_t>(now.tv_nsec);
  char name[80];
  std::snprintf(name, sizeof(name), "%016" PRIx64 "-%ld-%" PRIu32 "-%08" PRIx32, usecs,
                static_cast<long>(getpid()), counter.fetch_add(1), random_bits);
  return name;
}

// Reads a whole record file; false when it cannot be read or is too large.
bool read_file(const std::string& p, std::string& data) {
  UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return false;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return true;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > kMaxRecordSize) {
      errno = EFBIG;
      return false;
    }
  }
}

Result<void> ensure_directory(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) < 0 && errno != EEXIST)
    return permanent_error(syscall_error("mkdir", path));
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) return permanent_error(syscall_error("stat", path));
  if (!S_ISDIR(st.st_mode)) return permanent_error(path + " exists but is not a directory");
  // mkdir() is subject to the umask, and the setgid/sticky bits need chmod.
  if ((st.st_mode & 07777) != mode && ::chmod(path.c_str(), mode) < 0)
    return permanent_error(syscall_error("chmod", path));
  return {};
}

}  // namespace

Spool::Spool(std::string directory) : directory_(std::move(directory)) {}

std::string Spool::path(const char* sub, const std::string& entry) const {
  std::string p = directory_;
  p += '/';
  p += sub;
  if (!entry.empty()) {
    p += '/';
    p += entry;
  }
  return p;
}

Result<std::string> Spool::submit(const NotificationRequest& request, bool durable) const {
  return submit_record(encode_request(request), durable);
}

Result<std::string> Spool::submit_reaction(const ClientReaction& reaction) const {
  return submit_record(encode_reaction(reaction), false);
}

Result<std::string> Spool::submit_record(const std::string& record, bool durable) const {
  const std::string tmp_path = path(kTmp, new_entry_name());

  UniqueFd fd(::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
  if (!fd.valid()) return temporary_error(syscall_error("open", tmp_path));
  auto fail = [&](Error error) -> Result<std::string> {
    ::unlink(tmp_path.c_str());
    return error;
  };
  // The dispatcher reads the record through the group the setgid tmp/ gives
  // it; fchmod() is not subject to the umask, unlike open()'s mode.
  if (::fchmod(fd.get(), 0640) < 0) return fail(temporary_error(syscall_error("fchmod", tmp_path)));
  if (auto written = posix::write_all(fd.get(), record, tmp_path); !written) return fail(written.error());
  if (durable && ::fdatasync(fd.get()) < 0)
    return fail(temporary_error(syscall_error("fdatasync", tmp_path)));
  if (fd.close() < 0) return fail(temporary_error(syscall_error("close", tmp_path)));

  // The name that orders the record among others is taken only now, after
  // the write and the flush: a writer slowed down by its fdatasync must not
  // carry a name older than a record another writer renamed meanwhile
  // (the dispatcher claims in name order, per account in that order).
  // The rename is not followed by an fsync of incoming/: writers cannot
  // open it (they may not list it). If a crash loses the rename, the
  // complete record is still in tmp/, and the dispatcher recovers it
  // (recover_tmp).
  const std::string entry = new_entry_name();
  const std::string incoming_path = path(kIncoming, entry);
  if (::rename(tmp_path.c_str(), incoming_path.c_str()) < 0)
    return fail(temporary_error(syscall_error("rename", tmp_path + ", " + incoming_path)));
  return entry;
}

Result<void> Spool::prepare() const {
  struct stat st;
  if (::stat(directory_.c_str(), &st) < 0)
    return permanent_error(syscall_error("stat", directory_) +
                           " (the spool directory must exist and belong to the dispatcher's user)");
  // Writers (mail processes of any uid) may create and rename records but
  // not list or remove others' records; setgid hands records to our group.
  const mode_t drop_mode = S_ISGID | S_ISVTX | 0733;
  for (auto [sub, mode] : {std::pair{kTmp, drop_mode}, std::pair{kIncoming, drop_mode},
                           std::pair{kActive, mode_t{0700}}, std::pair{kCorrupt, mode_t{0700}},
                           std::pair{kPresence, mode_t{S_ISVTX | 0733}}}) {
    if (auto made = ensure_directory(path(sub, ""), mode); !made) return made;
  }
  return {};
}

Result<std::vector<std::string>> Spool::claim_incoming(size_t max) const {
  std::vector<std::string> names;
  const std::string incoming = path(kIncoming, "");
  if (!posix::list_directory(incoming, names))
    return temporary_error(syscall_error("opendir", incoming));
  if (names.size() > max) {
    std::partial_sort(names.begin(), names.begin() + static_cast<ptrdiff_t>(max), names.end());
    names.resize(max);
  } else {
    std::sort(names.begin(), names.end());
  }
  std::vector<std::string> claimed;
  claimed.reserve(names.size());
  for (auto& name : names) {
    const std::string from = path(kIncoming, name);
    const std::string to = path(kActive, name);
    if (::rename(from.c_str(), to.c_str()) < 0) {
      // What was moved so far is the caller's; the rest stays for later.
      if (claimed.empty()) return temporary_error(syscall_error("rename", from + ", " + to));
      break;
    }
    claimed.push_back(std::move(name));
  }
  return claimed;
}

std::vector<std::string> Spool::active_entries() const {
  std::vector<std::string> names;
  (void)posix::list_directory(path(kActive, ""), names);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> Spool::read_active(const std::string& entry) const {
  const std::string p = path(kActive, entry);
  std::string data;
  if (!read_file(p, data)) {
    if (errno == EFBIG)
      return permanent_error(p + " is larger than " + std::to_string(kMaxRecordSize) + " bytes");
    return temporary_error(syscall_error("read", p));
  }
  return data;
}

void Spool::remove_active(const std::string& entry) const {
  ::unlink(path(kActive, entry).c_str());
}

void Spool::quarantine_active(const std::string& entry) const {
  ::rename(path(kActive, entry).c_str(), path(kCorrupt, entry).c_str());
}

Spool::TmpRecovery Spool::recover_tmp(long max_age_secs) const {
  TmpRecovery result;
  std::vector<std::string> names;
  if (!posix::list_directory(path(kTmp, ""), names)) return result;
  const time_t now = ::time(nullptr);
  for (const auto& name : names) {
    const std::string p = path(kTmp, name);
    struct stat st;
    if (::lstat(p.c_str(), &st) < 0 || now - st.st_mtime <= max_age_secs) continue;
    // A complete record left this long was written and closed by a writer
    // that never renamed it (it died, or a crash lost the rename): it is a
    // committed notification. Anything else is half-written debris.
    std::string record;
    bool complete = read_file(p, record) && (is_reaction_record(record)
                                                 ? decode_reaction(record).has_value()
                                                 : decode_request(record).has_value());
    if (complete && ::rename(p.c_str(), path(kIncoming, name).c_str()) == 0) {
      result.recovered.push_back(name);
    } else if (::unlink(p.c_str()) == 0) {
      result.removed.push_back(name);
    }
  }
  return result;
}

}  // namespace lnotify

#include "lnotify/dispatcher/state_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "core/posix_util.h"
#include "core/record.h"

namespace lnotify {
namespace {

using posix::syscall_error;
using posix::UniqueFd;

constexpr std::string_view kHeader = "lnotify-state 1\n";
constexpr const char* kFileName = "state";

void append_line(std::string& out, std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (std::string_view field : fields) {
    if (!first) out += '\t';
    first = false;
    record::append_escaped(out, field);
  }
  out += '\n';
}

Result<std::string> read_all(int fd, const std::string& path) {
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return permanent_error(syscall_error("read", path));
    }
    if (n == 0) return data;
    data.append(buf, static_cast<size_t>(n));
  }
}

bool decode_line(std::string_view text, StateJournal::Line& line) {
  line.clear();
  for (;;) {
    size_t tab = text.find('\t');
    auto field = record::unescape(text.substr(0, tab));
    if (!field) return false;
    line.push_back(std::move(*field));
    if (tab == std::string_view::npos) return true;
    text.remove_prefix(tab + 1);
  }
}

}  // namespace

void StateJournal::Snapshot::add(std::initializer_list<std::string_view> fields) {
  append_line(text_, fields);
}

StateJournal::~StateJournal() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> StateJournal::open(const std::string& dir, const ReplayFunc& replay) {
  dir_ = dir;
  path_ = dir + "/" + kFileName;
  UniqueFd fd(::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid())
    return permanent_error(syscall_error("open", path_) +
                           " (state_dir must exist and belong to the dispatcher's user)");
  auto data = read_all(fd.get(), path_);
  if (!data) return data.error();
  std::string_view text = *data;
  if (text.empty()) {
    if (auto written = posix::write_all(fd.get(), kHeader, path_); !written) return written;
    size_ = kHeader.size();
  } else {
    if (!text.starts_with(kHeader))
      return permanent_error(path_ + " is not an lnotify state file (" + std::string(kHeader.substr(0, kHeader.size() - 1)) +
                             " expected); move it away to start with an empty state");
    // A crash in the middle of an append leaves a line without its newline:
    // it was never acknowledged, so it is cut off before appending again.
    size_t complete = text.rfind('\n') + 1;
    if (complete < text.size() && ::ftruncate(fd.get(), static_cast<off_t>(complete)) < 0)
      return permanent_error(syscall_error("ftruncate", path_));
    size_ = complete;
    text = text.substr(kHeader.size(), complete - kHeader.size());
    Line line;
    while (!text.empty()) {
      size_t eol = text.find('\n');
      if (decode_line(text.substr(0, eol), line))
        replay(line);
      else
        ++skipped_;
      text.remove_prefix(eol + 1);
    }
  }
  if (::lseek(fd.get(), 0, SEEK_END) < 0) return permanent_error(syscall_error("lseek", path_));
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::dup(fd.get());
  if (fd_ < 0) return permanent_error(syscall_error("dup", path_));
  return {};
}

void StateJournal::append(std::initializer_list<std::string_view> fields) {
  append_line(pending_, fields);
}

Result<void> StateJournal::write(bool durable) {
  if (fd_ < 0) return permanent_error("the state journal is not open");
  if (!pending_.empty()) {
    if (auto written = posix::write_all(fd_, pending_, path_); !written) return written;
    size_ += pending_.size();
    pending_.clear();
  }
  if (durable && ::fdatasync(fd_) < 0) return temporary_error(syscall_error("fdatasync", path_));
  return {};
}

Result<void> StateJournal::rewrite(const Snapshot& snapshot) {
  if (fd_ < 0) return permanent_error("the state journal is not open");
  const std::string tmp_path = path_ + ".new";
  UniqueFd fd(::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return temporary_error(syscall_error("open", tmp_path));
  auto fail = [&](Error error) -> Result<void> {
    ::unlink(tmp_path.c_str());
    return error;
  };
  if (auto w = posix::write_all(fd.get(), kHeader, tmp_path); !w) return fail(w.error());
  if (auto w = posix::write_all(fd.get(), snapshot.text(), tmp_path); !w) return fail(w.error());
  if (::fdatasync(fd.get()) < 0) return fail(temporary_error(syscall_error("fdatasync", tmp_path)));
  if (::rename(tmp_path.c_str(), path_.c_str()) < 0)
    return fail(temporary_error(syscall_error("rename", tmp_path + ", " + path_)));
  UniqueFd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) (void)::fsync(dir.get());
  ::close(fd_);
  fd_ = ::dup(fd.get());
  if (fd_ < 0) return permanent_error(syscall_error("dup", path_));
  if (::lseek(fd_, 0, SEEK_END) < 0) return permanent_error(syscall_error("lseek", path_));
  size_ = kHeader.size() + snapshot.text().size();
  pending_.clear();
  return {};
}

}  // namespace lnotify

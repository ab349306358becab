// RAII and error helpers for POSIX calls (internal header).
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "lnotify/core/result.h"

namespace lnotify::posix {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes explicitly, returning close()'s result (it can report a write error).
  int close() { return ::close(std::exchange(fd_, -1)); }
  void reset() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }

 private:
  int fd_ = -1;
};

// "open(/path) failed: No such file or directory", in Dovecot's wording.
inline std::string syscall_error(const char* call, const std::string& path, int err = errno) {
  return std::string(call) + "(" + path + ") failed: " + std::strerror(err);
}

// Writes all of data (a short write or EINTR continues); an error is
// temporary (a full disk may pass).
inline Result<void> write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return temporary_error(syscall_error("write", path));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

// Names in a directory except "." and ".." and other dot files, unsorted.
// Returns false (with errno set) when the directory cannot be read.
inline bool list_directory(const std::string& path, std::vector<std::string>& names) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return false;
  while (struct dirent* d = ::readdir(dir)) {
    if (d->d_name[0] != '.') names.emplace_back(d->d_name);
  }
  ::closedir(dir);
  return true;
}

}  // namespace lnotify::posix

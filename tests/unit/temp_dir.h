// A temporary directory removed at the end of a test (test helper).
#pragma once

#include <filesystem>
#include <string>

#include <stdlib.h>

namespace lnotify::testing {

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "lnotify-test-XXXXXX").string();
    path_ = ::mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace lnotify::testing

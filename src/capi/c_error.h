// Filling the C seam's error struct (internal header).
#pragma once

#include <cstdio>

#include "lnotify/lnotify.h"
#include "lnotify/core/result.h"

namespace lnotify {

inline void set_c_error(struct lnotify_error* out, const Error& error) {
  if (out == nullptr) return;
  out->temporary = error.temporary();
  std::snprintf(out->message, sizeof(out->message), "%s", error.message.c_str());
}

inline void set_c_error(struct lnotify_error* out, const char* message) {
  set_c_error(out, permanent_error(message));
}

}  // namespace lnotify

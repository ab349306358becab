// A small stand-in for std::expected (GCC 12 in C++20 mode has none): a value
// or an Error carrying a message and whether retrying may help.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace lnotify {

// Temporary failures are retried later (a gateway is down); permanent ones are
// not (the request itself is wrong). Draft §14.5.3 draws the same line between
// "request errors" and errors with another cause.
enum class Disposition { Permanent, Temporary };

struct Error {
  std::string message;
  Disposition disposition = Disposition::Permanent;
  // Temporary failures only: the peer asked not to be retried before this
  // many milliseconds (an HTTP Retry-After); 0: the dispatcher's backoff.
  int64_t retry_after_ms = 0;
  // The peer refused the payload as too large (HTTP 413): the same
  // notification may still go as a wake-up, which is small.
  bool too_large = false;
  // Permanent failures only, non-zero when the destination no longer
  // exists: the peer's status code (a Web Push subscription the push
  // service answered 404 or 410 for). Nothing more is sent to it until the
  // client stores a new address.
  int gone = 0;

  bool temporary() const { return disposition == Disposition::Temporary; }
};

inline Error permanent_error(std::string message) {
  return Error{std::move(message), Disposition::Permanent};
}
inline Error temporary_error(std::string message) {
  return Error{std::move(message), Disposition::Temporary};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}

  bool has_value() const { return !failed_; }
  explicit operator bool() const { return has_value(); }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool failed_ = false;
};

}  // namespace lnotify

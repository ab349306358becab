#include "toy_channel/toy_driver.h"

namespace lnotify::toy {
namespace {

class ToyChannel : public ImmediateChannel {
 public:
  explicit ToyChannel(std::string greeting) : greeting_(std::move(greeting)) {}
  // The toy borrows MMS, a channel name of the draft without a driver.
  ChannelKind kind() const override { return ChannelKind::Mms; }
  Result<void> validate_destination(std::string_view address) const override {
    if (address.empty()) return permanent_error("the toy needs an address");
    return {};
  }
  Result<void> send(std::string_view address, const Payload& payload) override {
    sent().push_back(greeting_ + " " + std::string(address) + " " + payload.content_type);
    return {};
  }

 private:
  std::string greeting_;
};

class ToyDriver : public channels::ChannelDriver {
 public:
  ChannelKind kind() const override { return ChannelKind::Mms; }
  Result<bool> configure(std::string_view key, std::string_view value) override {
    if (key != "toy_greeting") return false;
    if (value.empty()) return permanent_error("toy_greeting must not be empty");
    greeting_ = std::string(value);
    return true;
  }
  Result<ChannelPtr> make(const channels::DriverContext&) const override {
    return ChannelPtr(std::make_unique<ToyChannel>(greeting_));
  }

 private:
  std::string greeting_ = "hello";
};

}  // namespace

std::vector<std::string>& sent() {
  static std::vector<std::string> list;
  return list;
}

channels::ChannelDriverPtr make_driver() {
  return std::make_unique<ToyDriver>();
}

}  // namespace lnotify::toy

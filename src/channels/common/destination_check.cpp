#include "channels/common/destination_check.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <memory>

namespace lnotify {

Result<std::vector<std::string>> check_destination_host(const DestinationPolicy& policy,
                                                        const std::string& host) {
  const Error refused = permanent_error(
      host + " is not an allowed destination (allowed_destinations: " +
      (policy.empty() ? std::string("none") : policy.text()) + ")");
  if (policy.allows_host(host)) return std::vector<std::string>{};
  struct addrinfo hints {};
  hints.ai_socktype = SOCK_STREAM;  // one entry per address, whatever the protocol
  struct addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return refused;
  std::unique_ptr<struct addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  std::vector<std::string> checked;
  for (auto* ai = found; ai != nullptr; ai = ai->ai_next) {
    char text[INET6_ADDRSTRLEN] = "";
    const void* raw = ai->ai_family == AF_INET
                          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr)
                          : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr);
    // a literal host resolves to itself: it was refused above already
    if (inet_ntop(ai->ai_family, raw, text, sizeof(text)) == nullptr || text == host ||
        !policy.allows_address(text))
      return refused;
    checked.emplace_back(text);
  }
  if (checked.empty()) return refused;
  return checked;
}

}  // namespace lnotify

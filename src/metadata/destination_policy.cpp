#include "lnotify/metadata/destination_policy.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cctype>
#include <charconv>

#include "core/text_util.h"

namespace lnotify {
namespace {

bool parse_ip(std::string_view text, int& family, std::array<unsigned char, 16>& bytes) {
  std::string s(text);
  bytes.fill(0);
  if (inet_pton(AF_INET, s.c_str(), bytes.data()) == 1) {
    family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), bytes.data()) == 1) {
    family = AF_INET6;
    return true;
  }
  return false;
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 253 || !std::isalnum(static_cast<unsigned char>(name.front())))
    return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool in_network(const std::array<unsigned char, 16>& ip, const std::array<unsigned char, 16>& net,
                unsigned prefix) {
  unsigned full = prefix / 8, rest = prefix % 8;
  for (unsigned i = 0; i < full; ++i)
    if (ip[i] != net[i]) return false;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (ip[full] & mask) == (net[full] & mask);
}

}  // namespace

Result<DestinationPolicy> DestinationPolicy::parse(std::string_view list) {
  DestinationPolicy policy;
  policy.text_ = std::string(text::trim(list));
  while (!(list = text::trim(list)).empty()) {
    size_t end = list.find_first_of(" \t,");
    std::string_view item = list.substr(0, end);
    list = end == std::string_view::npos ? std::string_view{} : list.substr(end + 1);

    size_t slash = item.find('/');
    Network net;
    if (parse_ip(item.substr(0, slash), net.family, net.address)) {
      unsigned max = net.family == AF_INET ? 32 : 128;
      net.prefix = max;
      if (slash != std::string_view::npos) {
        std::string_view bits = item.substr(slash + 1);
        auto [p, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), net.prefix);
        if (ec != std::errc() || p != bits.data() + bits.size() || bits.empty() ||
            net.prefix > max)
          return permanent_error("invalid prefix length in " + text::quote_for_message(item));
      }
      policy.networks_.push_back(net);
    } else if (slash == std::string_view::npos && valid_name(item)) {
      policy.names_.emplace_back(item);
    } else {
      return permanent_error("not a network, address or host name: " +
                             text::quote_for_message(item));
    }
  }
  return policy;
}

bool DestinationPolicy::allows_address(std::string_view ip) const {
  int family = 0;
  std::array<unsigned char, 16> bytes;
  if (!parse_ip(ip, family, bytes)) return false;
  for (const auto& net : networks_)
    if (net.family == family && in_network(bytes, net.address, net.prefix)) return true;
  return false;
}

bool DestinationPolicy::allows_name(std::string_view host) const {
  for (const auto& name : names_)
    if (text::iequals(name, host)) return true;
  return false;
}

bool DestinationPolicy::allows_host(std::string_view host) const {
  int family = 0;
  std::array<unsigned char, 16> bytes;
  if (parse_ip(host, family, bytes)) return allows_address(host);
  return allows_name(host);
}

}  // namespace lnotify

// Which destinations a user may send notifications to. Addresses come from
// clients (METADATA), so without a policy any user could make the
// dispatcher send datagrams into the server's internal network (SSRF). The
// administrator lists what is allowed; the default allows nothing.
//
// Entries: IPv4 or IPv6 networks in CIDR form (192.0.2.0/24, 2001:db8::/32),
// single addresses, or exact host names (push.example.org). A host-name
// destination is allowed when its name is listed, or, at send time, when
// every address it resolves to lies in a listed network.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "lnotify/core/result.h"

namespace lnotify {

class DestinationPolicy {
 public:
  DestinationPolicy() = default;  // allows nothing

  static Result<DestinationPolicy> parse(std::string_view list);

  // An address literal (no brackets) in a listed network.
  bool allows_address(std::string_view ip) const;
  // A host name listed exactly (case-insensitive).
  bool allows_name(std::string_view host) const;
  // A destination host as a client gave it: an address literal must lie in
  // a listed network, a name must be listed (the mail processes do not
  // resolve names; the dispatcher checks resolved addresses again).
  bool allows_host(std::string_view host) const;

  bool empty() const { return networks_.empty() && names_.empty(); }
  const std::string& text() const { return text_; }

 private:
  struct Network {
    int family = 0;  // AF_INET or AF_INET6
    std::array<unsigned char, 16> address{};
    unsigned prefix = 0;
  };
  std::vector<Network> networks_;
  std::vector<std::string> names_;
  std::string text_;
};

}  // namespace lnotify

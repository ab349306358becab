// The URI an EMN or xemn payload names the mailbox with. OMA EMN 1.0 allows
// any URI; lnotify writes the WAP "mailat:" form by default and an RFC 5092
// IMAP URL when the dispatcher is configured for it (mailbox_uri = imap).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify {

// "mailat:" URI naming an account by its address (the EMN default).
std::string mailat_uri(std::string_view account);

// RFC 5092 IMAP URL of a mailbox: imap://user@host/mailbox;UIDVALIDITY=n.
// The user name and the (UTF-8) mailbox name are percent-encoded where the
// grammar needs it; ";UIDVALIDITY=" is left out when uidvalidity is 0 (the
// grammar's nz-number), userinfo when user is empty. host is "host[:port]",
// checked beforehand with validate_imap_host().
std::string imap_mailbox_url(std::string_view user, std::string_view host,
                             std::string_view mailbox, uint32_t uidvalidity);

// A host name, IPv4 address or [IPv6] literal, optionally with ":port".
Result<void> validate_imap_host(std::string_view host);

}  // namespace lnotify

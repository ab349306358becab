// RFC 3501 §9 fetch-att, parsed properly: the value of
// /private/notify/inband/msgformat (draft §11.3: "RFC3501 fetch-att syntax
// detailing the format of unsolicited FETCH responses generated in-band").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lnotify/core/result.h"

namespace lnotify {

// Accepts the macros ALL / FAST / FULL, a single fetch-att, or a
// parenthesised list of them, as a FETCH command would. Besides RFC 3501
// items it accepts BINARY[.PEEK|.SIZE] (RFC 3516), MODSEQ (RFC 7162) and
// PREVIEW / SNIPPET, which Dovecot serves. Returns the items, upper-cased
// (header field names keep their case).
Result<std::vector<std::string>> parse_fetch_att_list(std::string_view text);

}  // namespace lnotify

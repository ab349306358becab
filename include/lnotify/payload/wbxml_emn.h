// OMA EMN 1.0 in WBXML 1.3 (application/vnd.wap.emn+wbxml), the binary
// wake-up carried by WAP push over SMS and binary UDP.
//
// Tokens (EMN code page 0, as in libwbxml, Opera and Wireshark):
//   header   03 (WBXML 1.3) 0D (public id "-//WAPFORUM//DTD EMN 1.0//EN")
//            6A (charset UTF-8, MIBenum 106) 00 (no string table)
//   tag      85 = emn (0x05) with attributes, no content
//   attrs    05 timestamp=, 06 mailbox=, 07 mailbox="mailat:, 08 "pop://,
//            09 "imap://, 0A "http://, 0B "http://www., 0C "https://,
//            0D "https://www.
//   values   03 STR_I (inline NUL-terminated string), C3 OPAQUE, 01 END
//
// No attribute-value tokens (0x85-0x88 ".com" ".edu" ".net" ".org") are
// written: Wireshark reads them with SI's table, where they carry a trailing
// slash, so a handset decoding the same way would see "example.com/" and a
// broken address. Plain inline strings mean the same thing to every decoder.
#pragma once

#include <string>

#include "lnotify/payload/emn.h"

namespace lnotify {

inline constexpr std::string_view kEmnWbxmlContentType = "application/vnd.wap.emn+wbxml";

std::string encode_emn_wbxml(const EmnWakeup& emn);

}  // namespace lnotify

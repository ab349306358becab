#include "core/charset.h"

#include <errno.h>
#include <iconv.h>

#include <memory>

#include "core/text_util.h"
#include "core/utf8.h"

namespace lnotify::charset {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Windows-1252's printable characters in 0x80..0x9F (0 where undefined).
constexpr char32_t kCp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

std::string from_cp1252(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) {
    char32_t cp = c;
    if (c >= 0x80 && c <= 0x9F) cp = kCp1252High[c - 0x80] ? kCp1252High[c - 0x80] : kReplacement;
    utf8::append(out, cp);
  }
  return out;
}

std::string from_ascii(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) utf8::append(out, c < 0x80 ? c : kReplacement);
  return out;
}

struct IconvClose {
  void operator()(iconv_t* cd) const {
    iconv_close(*cd);
    delete cd;
  }
};

// Only plain charset names reach iconv_open: glibc reads suffixes such as
// "//TRANSLIT" from the name, and a header must not choose those.
bool plain_charset_name(std::string_view name) {
  if (name.empty() || name.size() > 40) return false;
  for (unsigned char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string> via_iconv(std::string_view charset, std::string_view bytes) {
  if (!plain_charset_name(charset)) return std::nullopt;
  std::string name(charset);
  iconv_t raw = iconv_open("UTF-8", name.c_str());
  if (raw == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::unique_ptr<iconv_t, IconvClose> cd(new iconv_t(raw));

  std::string out;
  std::string input(bytes);
  char* in = input.data();
  size_t in_left = input.size();
  char buffer[1024];
  while (in_left > 0) {
    char* outp = buffer;
    size_t out_left = sizeof(buffer);
    size_t rc = iconv(*cd, &in, &in_left, &outp, &out_left);
    out.append(buffer, sizeof(buffer) - out_left);
    if (rc != static_cast<size_t>(-1)) continue;
    if (errno == E2BIG) continue;
    // EILSEQ (invalid sequence) or EINVAL (cut short at the end): one
    // replacement character for the offending byte, then go on.
    utf8::append(out, kReplacement);
    ++in;
    --in_left;
  }
  // Flush the shift state of stateful charsets (ISO-2022-JP).
  char* outp = buffer;
  size_t out_left = sizeof(buffer);
  iconv(*cd, nullptr, nullptr, &outp, &out_left);
  out.append(buffer, sizeof(buffer) - out_left);
  return out;
}

}  // namespace

std::optional<std::string> to_utf8(std::string_view charset, std::string_view bytes) {
  using text::iequals;
  if (iequals(charset, "utf-8") || iequals(charset, "utf8")) return std::string(bytes);
  if (iequals(charset, "us-ascii") || iequals(charset, "ascii")) return from_ascii(bytes);
  // ISO-8859-1's 0x80..0x9F are C1 controls, which no mail means; mislabelled
  // Windows-1252 is what actually arrives, so read it as that (as WHATWG's
  // Encoding Standard does for "iso-8859-1" too).
  if (iequals(charset, "iso-8859-1") || iequals(charset, "latin1") ||
      iequals(charset, "iso_8859-1") || iequals(charset, "windows-1252") ||
      iequals(charset, "cp1252"))
    return from_cp1252(bytes);
  return via_iconv(charset, bytes);
}

}  // namespace lnotify::charset

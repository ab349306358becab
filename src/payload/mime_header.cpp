#include "lnotify/payload/mime_header.h"

#include <optional>
#include <vector>

#include "core/charset.h"
#include "lnotify/core/base64url.h"
#include "core/text_util.h"
#include "core/utf8.h"

namespace lnotify {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// RFC 5322 §2.2.3: unfolding removes each CRLF that is followed by WSP. Bare
// LFs are treated alike (headers read from files often have no CR).
std::string unfold(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    size_t eol = 0;
    if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n')
      eol = 2;
    else if (raw[i] == '\n')
      eol = 1;
    if (eol && i + eol < raw.size() && (raw[i + eol] == ' ' || raw[i + eol] == '\t')) {
      i += eol - 1;
      continue;
    }
    out += raw[i];
  }
  return out;
}

struct EncodedWord {
  std::string charset;
  std::string bytes;  // decoded, still in charset
  size_t length = 0;  // of the whole "=?...?=" in the input
};

std::optional<std::string> decode_q(std::string_view text) {
  // RFC 2047 §4.2: "_" is SPACE, "=XX" an octet; a stray "=" is kept.
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '_') {
      out += ' ';
    } else if (c == '=' && i + 2 < text.size() &&
               hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> decode_b(std::string_view text) {
  // RFC 2047 §4.1 is RFC 2045's base64; map it onto the base64url alphabet.
  std::string url(text);
  for (char& c : url) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  auto decoded = base64url_decode(url);
  if (!decoded) return std::nullopt;
  return std::move(*decoded);
}

// Parses "=?charset?encoding?encoded-text?=" at the start of s. Every scan
// stops at the next '?' (or white space), so a 100 kB header full of "=?"
// costs linear time, not quadratic.
std::optional<EncodedWord> parse_encoded_word(std::string_view s) {
  if (s.substr(0, 2) != "=?") return std::nullopt;
  size_t q1 = s.find('?', 2);
  if (q1 == std::string_view::npos || q1 == 2 || q1 + 2 >= s.size() || s[q1 + 2] != '?')
    return std::nullopt;
  std::string_view charset = s.substr(2, q1 - 2);
  for (char c : charset)
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7E)
      return std::nullopt;
  char encoding = s[q1 + 1];
  size_t text_start = q1 + 3;
  // RFC 2047 §2: encoded-text holds neither '?' nor SPACE; it ends at "?=".
  size_t end = text_start;
  while (end < s.size() && s[end] != '?' && !is_wsp(s[end])) ++end;
  if (end + 1 >= s.size() || s[end] != '?' || s[end + 1] != '=') return std::nullopt;
  std::string_view text = s.substr(text_start, end - text_start);

  std::optional<std::string> bytes;
  if (encoding == 'B' || encoding == 'b')
    bytes = decode_b(text);
  else if (encoding == 'Q' || encoding == 'q')
    bytes = decode_q(text);
  if (!bytes) return std::nullopt;
  // RFC 2231 §5: "charset*language".
  charset = charset.substr(0, charset.find('*'));
  return EncodedWord{std::string(charset), std::move(*bytes), end + 2};
}

}  // namespace

std::string decode_header_value(std::string_view raw) {
  const std::string text = unfold(raw);
  const std::string_view view = text;
  std::string out;

  // A run of adjacent encoded-words in one charset: their bytes are joined
  // before conversion, because mailers split multi-byte characters across
  // words.
  std::string run_charset, run_bytes, run_literal;
  bool in_run = false;
  auto flush = [&] {
    if (!in_run) return;
    auto converted = charset::to_utf8(run_charset, run_bytes);
    out += converted ? *converted : run_literal;
    in_run = false;
    run_bytes.clear();
    run_literal.clear();
  };

  size_t i = 0;
  while (i < view.size()) {
    auto word = parse_encoded_word(view.substr(i));
    if (!word) {
      flush();
      out += view[i++];
      continue;
    }
    if (!in_run || !text::iequals(word->charset, run_charset)) {
      flush();
      in_run = true;
      run_charset = word->charset;
    }
    run_bytes += word->bytes;
    run_literal += view.substr(i, word->length);
    i += word->length;
    // RFC 2047 §6.2: "any 'linear-white-space' that separates a pair of
    // adjacent 'encoded-word's is ignored."
    size_t j = i;
    while (j < view.size() && is_wsp(view[j])) ++j;
    if (j > i && parse_encoded_word(view.substr(j))) {
      run_literal += view.substr(i, j - i);
      i = j;
    }
  }
  flush();

  const std::string sanitized = utf8::sanitize(out);
  std::string clean;
  for (size_t k = 0; k < sanitized.size(); ++k) {
    // A line break left after unfolding (CRLF, CR or LF) and TAB become one
    // space each: display text has no lines.
    char c = sanitized[k];
    if (c == '\r' && k + 1 < sanitized.size() && sanitized[k + 1] == '\n') continue;
    clean += (c == '\t' || c == '\r' || c == '\n') ? ' ' : c;
  }
  std::string_view trimmed = clean;
  while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
  return std::string(trimmed);
}

}  // namespace lnotify

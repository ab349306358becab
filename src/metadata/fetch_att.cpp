#include "lnotify/metadata/fetch_att.h"

#include <cctype>

#include "core/text_util.h"

namespace lnotify {
namespace {

// A recursive-descent parser over RFC 3501's grammar:
//   fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" /
//               "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
//               "BODY" ["STRUCTURE"] / "UID" /
//               "BODY" section ["<" number "." nz-number ">"] /
//               "BODY.PEEK" section ["<" number "." nz-number ">"]
//   section = "[" [section-spec] "]"
//   section-spec = section-msgtext / (section-part ["." section-text])
//   section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
//   section-part = nz-number *("." nz-number)
//   section-text = section-msgtext / "MIME"
//   header-list = "(" header-fld-name *(SP header-fld-name) ")"
class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<std::vector<std::string>> parse() {
    std::vector<std::string> items;
    if (s_.empty()) return fail("the value is empty");
    if (peek() == '(') {
      ++pos_;
      for (;;) {
        auto item = fetch_att();
        if (!item) return item.error();
        items.push_back(std::move(*item));
        if (peek() == ')') {
          ++pos_;
          break;
        }
        if (!consume(' ')) return fail("expected a space or ')' after " + items.back());
      }
    } else {
      std::string word = peek_atom();
      if (text::iequals(word, "ALL") || text::iequals(word, "FAST") ||
          text::iequals(word, "FULL")) {
        pos_ += word.size();
        items.push_back(upper(word));
      } else {
        auto item = fetch_att();
        if (!item) return item.error();
        items.push_back(std::move(*item));
      }
    }
    if (pos_ != s_.size()) return fail("unexpected text after the fetch-att list");
    return items;
  }

 private:
  Error fail(const std::string& what) const {
    return permanent_error("invalid fetch-att list at offset " + std::to_string(pos_) + ": " +
                           what +
                           " (expected RFC 3501 fetch-att, e.g. (UID FLAGS ENVELOPE "
                           "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]))");
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool consume(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  static std::string upper(std::string_view w) {
    std::string out(w);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }
  // Letters, digits and '.', as fetch-att names are spelled.
  std::string peek_atom() const {
    size_t end = pos_;
    while (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '.'))
      ++end;
    return std::string(s_.substr(pos_, end - pos_));
  }
  bool keyword(std::string_view word) {
    std::string atom = peek_atom();
    if (!text::iequals(atom, word)) return false;
    pos_ += atom.size();
    return true;
  }
  bool number(bool nonzero, std::string& out) {
    size_t start = pos_;
    while (std::isdigit(static_cast<unsigned char>(peek()))) ++pos_;
    if (pos_ == start || pos_ - start > 10) return false;
    std::string_view digits = s_.substr(start, pos_ - start);
    if (nonzero && digits.front() == '0') return false;
    if (std::stoull(std::string(digits)) > 4294967295ULL) return false;
    out += digits;
    return true;
  }

  Result<std::string> fetch_att() {
    std::string atom = upper(peek_atom());
    static constexpr std::string_view kSimple[] = {
        "ENVELOPE", "FLAGS",  "INTERNALDATE", "RFC822",  "RFC822.HEADER", "RFC822.SIZE",
        "RFC822.TEXT", "BODYSTRUCTURE", "UID", "MODSEQ", "PREVIEW", "SNIPPET"};
    if (atom == "BODY" || atom == "BODY.PEEK" || atom == "BINARY" || atom == "BINARY.PEEK" ||
        atom == "BINARY.SIZE") {
      pos_ += atom.size();
      if (peek() != '[') {
        if (atom == "BODY") return atom;
        return fail(atom + " needs a section, e.g. " + atom + "[]");
      }
      std::string out = atom;
      bool binary = atom.starts_with("BINARY");
      auto sec = binary ? binary_section() : section();
      if (!sec) return sec.error();
      out += *sec;
      if (atom != "BINARY.SIZE" && peek() == '<') {
        ++pos_;
        out += '<';
        if (!number(false, out)) return fail("expected the partial's start offset");
        if (!consume('.')) return fail("expected '.' in <start.length>");
        out += '.';
        if (!number(true, out)) return fail("expected a non-zero partial length");
        if (!consume('>')) return fail("expected '>'");
        out += '>';
      }
      return out;
    }
    for (auto simple : kSimple) {
      if (atom == simple) {
        pos_ += atom.size();
        return atom;
      }
    }
    if (atom.empty()) return fail("expected a fetch-att");
    return fail("unknown fetch-att " + text::quote_for_message(atom));
  }

  // BINARY sections hold only a part number: "[" [section-part] "]".
  Result<std::string> binary_section() {
    std::string out = "[";
    ++pos_;
    if (peek() != ']') {
      for (;;) {
        if (!number(true, out)) return fail("expected a part number");
        if (!consume('.')) break;
        out += '.';
      }
    }
    if (!consume(']')) return fail("expected ']'");
    return out + "]";
  }

  Result<std::string> section() {
    std::string out = "[";
    ++pos_;  // '['
    if (consume(']')) return out + "]";
    if (std::isdigit(static_cast<unsigned char>(peek()))) {
      for (;;) {
        if (!number(true, out)) return fail("expected a non-zero part number");
        if (peek() != '.') break;
        // a '.' followed by a digit continues the part, else a section-text follows
        if (pos_ + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_ + 1]))) {
          ++pos_;
          out += '.';
          continue;
        }
        ++pos_;
        out += '.';
        if (keyword("MIME")) {
          out += "MIME";
        } else {
          auto text = msgtext();
          if (!text) return text.error();
          out += *text;
        }
        break;
      }
    } else {
      auto text = msgtext();
      if (!text) return text.error();
      out += *text;
    }
    if (!consume(']')) return fail("expected ']' to close the section");
    return out + "]";
  }

  Result<std::string> msgtext() {
    if (keyword("HEADER.FIELDS.NOT")) return header_list("HEADER.FIELDS.NOT");
    if (keyword("HEADER.FIELDS")) return header_list("HEADER.FIELDS");
    if (keyword("HEADER")) return std::string("HEADER");
    if (keyword("TEXT")) return std::string("TEXT");
    return fail("expected HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT or TEXT in the section");
  }

  Result<std::string> header_list(const char* name) {
    std::string out = name;
    if (!consume(' ')) return fail(std::string("expected a space after ") + name);
    if (!consume('(')) return fail("expected '(' to open the header list");
    out += " (";
    for (bool first = true;; first = false) {
      if (!first) {
        if (consume(')')) break;
        if (!consume(' ')) return fail("expected a space or ')' in the header list");
        out += ' ';
      }
      auto field = header_field_name();
      if (!field) return field.error();
      out += *field;
    }
    return out + ")";
  }

  // header-fld-name = astring; lnotify takes the atom and quoted forms (a
  // literal cannot appear in a METADATA value sensibly). RFC 5322 field
  // names are printable ASCII except ':'.
  Result<std::string> header_field_name() {
    if (consume('"')) {
      std::string name;
      while (peek() != '"') {
        char c = peek();
        if (c == '\0') return fail("unterminated quoted header name");
        if (c == '\\') {
          ++pos_;
          c = peek();
          if (c != '"' && c != '\\') return fail("bad escape in quoted header name");
        }
        if (c < 0x21 || c > 0x7e || c == ':') return fail("invalid character in header name");
        name += c;
        ++pos_;
      }
      ++pos_;
      if (name.empty()) return fail("empty header name");
      return "\"" + name + "\"";
    }
    size_t start = pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c <= 0x20 || c >= 0x7f || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' ||
          c == '"' || c == '\\' || c == ']' || c == ':')
        break;
      ++pos_;
    }
    if (pos_ == start) return fail("expected a header field name");
    return std::string(s_.substr(start, pos_ - start));
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::vector<std::string>> parse_fetch_att_list(std::string_view text) {
  return Parser(text).parse();
}

}  // namespace lnotify

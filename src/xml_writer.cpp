#include "xml_writer.h"

#include "utf8.h"

namespace lnotify::xml {
namespace {

// Escapes sanitized text. In attribute values, TAB, LF and CR become
// character references so that attribute-value normalisation (XML 1.0
// §3.3.3) gives them back; in content only CR needs one (§2.11 would turn
// it into LF).
void append_escaped(std::string& out, std::string_view text, bool attribute) {
  size_t run = 0;  // characters before i that need no escaping
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool special = c == '&' || c == '<' || c == '>' || c == '"' || c == '\r' ||
                         (attribute && (c == '\t' || c == '\n'));
    if (!special) {
      ++run;
      continue;
    }
    out.append(text.data() + i - run, run);
    run = 0;
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\r': out += "&#13;"; break;
      case '\t':
        if (attribute) out += "&#9;"; else out += c;
        break;
      case '\n':
        if (attribute) out += "&#10;"; else out += c;
        break;
      default: out += c;
    }
  }
  out.append(text.data() + text.size() - run, run);
}

// Escapes text, sanitizing it first unless it is clean already (most is).
void append_sanitized(std::string& out, std::string_view text, bool attribute) {
  if (utf8::is_clean(text))
    append_escaped(out, text, attribute);
  else
    append_escaped(out, utf8::sanitize(text), attribute);
}

}  // namespace

std::string sanitize_utf8(std::string_view text) { return utf8::sanitize(text); }

void Writer::close_start_tag() {
  if (start_tag_open_) {
    out_ += '>';
    start_tag_open_ = false;
  }
}

Writer& Writer::start_document() {
  if (!out_.empty()) ok_ = false;
  out_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  return *this;
}

Writer& Writer::doctype(const char* root, std::string_view public_id, std::string_view system_id) {
  // Identifiers are constants of the format; a quote would end them.
  if (!open_.empty() || public_id.find('"') != std::string_view::npos ||
      system_id.find('"') != std::string_view::npos) {
    ok_ = false;
    return *this;
  }
  out_ += "<!DOCTYPE ";
  out_ += root;
  out_ += " PUBLIC \"";
  out_ += public_id;
  out_ += "\" \"";
  out_ += system_id;
  out_ += "\">";
  return *this;
}

Writer& Writer::start_element(const char* name) {
  close_start_tag();
  out_ += '<';
  out_ += name;
  open_.push_back(name);
  start_tag_open_ = true;
  return *this;
}

Writer& Writer::attribute(const char* name, std::string_view value) {
  if (!start_tag_open_) {
    ok_ = false;
    return *this;
  }
  out_ += ' ';
  out_ += name;
  out_ += "=\"";
  append_sanitized(out_, value, true);
  out_ += '"';
  return *this;
}

Writer& Writer::text(std::string_view value) {
  if (value.empty() || (!utf8::is_clean(value) && utf8::sanitize(value).empty())) return *this;
  if (open_.empty()) {
    ok_ = false;
    return *this;
  }
  close_start_tag();
  append_sanitized(out_, value, false);
  return *this;
}

Writer& Writer::processing_instruction(const char* target, std::string_view content) {
  std::string clean = utf8::sanitize(content);
  // "?>" would end the instruction early, and nothing can escape it.
  if (clean.find("?>") != std::string::npos) {
    ok_ = false;
    return *this;
  }
  close_start_tag();
  out_ += "<?";
  out_ += target;
  out_ += ' ';
  out_ += clean;
  out_ += "?>";
  return *this;
}

Writer& Writer::end_element() {
  if (open_.empty()) {
    ok_ = false;
    return *this;
  }
  if (start_tag_open_) {
    out_ += "/>";
    start_tag_open_ = false;
  } else {
    out_ += "</";
    out_ += open_.back();
    out_ += '>';
  }
  open_.pop_back();
  return *this;
}

Result<std::string> Writer::finish() {
  while (ok_ && !open_.empty()) end_element();
  if (!ok_) return permanent_error("the XML document could not be written (misused writer)");
  out_ += '\n';
  return std::move(out_);
}

}  // namespace lnotify::xml

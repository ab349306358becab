#include "channels/common/sip/sip_message.h"

#include <array>
#include <charconv>

#include "core/text_util.h"

namespace lnotify::sip {
namespace {

// RFC 3261 §7.3.3 and the event package (RFC 6665 §8.2.1: o Event,
// u Allow-Events): compact names of the headers lnotify reads.
constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kCompact{{
    {"via", "v"}, {"call-id", "i"}, {"content-length", "l"}, {"content-type", "c"},
    {"from", "f"}, {"to", "t"}, {"contact", "m"}, {"content-encoding", "e"},
    {"event", "o"}, {"supported", "k"},
}};

bool same_header(std::string_view received, std::string_view wanted) {
  if (text::iequals(received, wanted)) return true;
  for (const auto& [full, compact] : kCompact) {
    if (text::iequals(wanted, full) && text::iequals(received, compact)) return true;
    if (text::iequals(wanted, compact) && text::iequals(received, full)) return true;
  }
  return false;
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-.!%*_+`'~").find(c) != std::string_view::npos;
}

// A number made of digits only, at most max.
std::optional<uint64_t> parse_count(std::string_view digits, uint64_t max) {
  if (digits.empty() || digits.size() > 19 || !text::all_digits(digits)) return std::nullopt;
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n > max) return std::nullopt;
  return n;
}

// The header section's lines, with continuation lines (leading SP or HT)
// joined to the line they continue (RFC 3261 §7.3.1).
struct HeaderSection {
  std::string_view start_line;
  std::vector<std::pair<std::string, std::string>> headers;
  size_t body_offset = 0;
};

std::string_view next_line(std::string_view& text) {
  size_t lf = text.find('\n');
  std::string_view line = text.substr(0, lf);
  text = lf == std::string_view::npos ? std::string_view{} : text.substr(lf + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

Result<HeaderSection> split_header_section(std::string_view bytes) {
  size_t end = bytes.find("\r\n\r\n");
  size_t sep = 4;
  if (end == std::string_view::npos) {
    end = bytes.find("\n\n");  // bare LF, which some peers send
    sep = 2;
  }
  if (end == std::string_view::npos)
    return permanent_error("no end of the header section (no empty line)");
  if (end > kMaxHeaderBytes)
    return permanent_error("header section larger than " + std::to_string(kMaxHeaderBytes) +
                           " bytes");
  HeaderSection section;
  section.body_offset = end + sep;
  std::string_view text = bytes.substr(0, end);
  section.start_line = next_line(text);
  while (!text.empty()) {
    std::string_view line = next_line(text);
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') {
      if (section.headers.empty()) return permanent_error("continuation line before any header");
      section.headers.back().second += " ";
      section.headers.back().second += text::trim(line);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      return permanent_error("header line without a colon: " + text::quote_for_message(line));
    std::string_view name = text::trim(line.substr(0, colon));
    if (name.empty()) return permanent_error("header line with an empty name");
    for (char c : name)
      if (!is_token_char(c))
        return permanent_error("invalid header name " + text::quote_for_message(name));
    section.headers.emplace_back(std::string(name), std::string(text::trim(line.substr(colon + 1))));
  }
  return section;
}

std::optional<std::string> find_header(
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (same_header(n, name)) return v;
  return std::nullopt;
}

// The Content-Length value, when present: a number no larger than the limit.
Result<std::optional<size_t>> content_length(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  auto value = find_header(headers, "Content-Length");
  if (!value) return std::optional<size_t>{};
  auto n = parse_count(*value, kMaxMessageBytes);
  if (!n) return permanent_error("invalid Content-Length " + text::quote_for_message(*value));
  return std::optional<size_t>(*n);
}

}  // namespace

std::string build_request(const RequestSpec& spec) {
  std::string m;
  m.reserve(512 + spec.body.size());
  m += spec.method + " " + spec.request_uri + " SIP/2.0\r\n";
  m += "Via: SIP/2.0/" + spec.via_transport + " " + spec.via_sent_by + ";branch=" + spec.branch +
       ";rport\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "To: " + spec.to + "\r\n";
  m += "From: " + spec.from + ";tag=" + spec.from_tag + "\r\n";
  m += "Call-ID: " + spec.call_id + "\r\n";
  m += "CSeq: " + std::to_string(spec.cseq) + " " + spec.method + "\r\n";
  for (const auto& [name, value] : spec.extra_headers) m += name + ": " + value + "\r\n";
  if (!spec.content_type.empty()) m += "Content-Type: " + spec.content_type + "\r\n";
  m += "Content-Length: " + std::to_string(spec.body.size()) + "\r\n\r\n";
  m += spec.body;
  return m;
}

std::optional<std::string> Response::header(std::string_view name) const {
  auto value = find_header(headers, name);
  if (!value) return std::nullopt;
  // Via and Contact may list several values; the first one counts.
  // (A comma inside a quoted display name is rare enough in responses to
  // lnotify's requests that Via, the one that matters, never has it.)
  if (same_header(name, "Via")) {
    size_t comma = value->find(',');
    if (comma != std::string::npos) value->resize(comma);
  }
  return std::string(text::trim(*value));
}

std::string Response::top_via_branch() const {
  auto via = header("Via");
  if (!via) return {};
  std::string_view rest = *via;
  size_t semi;
  while ((semi = rest.find(';')) != std::string_view::npos) {
    rest.remove_prefix(semi + 1);
    std::string_view param = rest.substr(0, rest.find(';'));
    size_t eq = param.find('=');
    if (eq != std::string_view::npos && text::iequals(text::trim(param.substr(0, eq)), "branch"))
      return std::string(text::trim(param.substr(eq + 1)));
  }
  return {};
}

std::string Response::cseq_method() const {
  auto cseq = header("CSeq");
  if (!cseq) return {};
  std::string_view v = text::trim(*cseq);
  size_t space = v.find_first_of(" \t");
  if (space == std::string_view::npos) return {};
  return std::string(text::trim(v.substr(space)));
}

std::optional<int64_t> Response::retry_after_ms() const {
  auto value = header("Retry-After");
  if (!value) return std::nullopt;
  std::string_view v = *value;
  size_t end = 0;
  while (end < v.size() && v[end] >= '0' && v[end] <= '9') ++end;
  // delta-seconds, then optionally a comment and ;parameters (§20.33)
  if (end < v.size() && std::string_view(" \t(;").find(v[end]) == std::string_view::npos)
    return std::nullopt;
  constexpr uint64_t kDay = 86400;
  std::string_view digits = v.substr(0, end);
  if (digits.empty()) return std::nullopt;
  if (digits.size() > 10) return static_cast<int64_t>(kDay * 1000);
  auto secs = parse_count(digits, UINT64_MAX);
  if (!secs) return std::nullopt;
  return static_cast<int64_t>(std::min<uint64_t>(*secs, kDay) * 1000);
}

Result<Response> parse_response(std::string_view bytes) {
  if (bytes.size() > kMaxMessageBytes)
    return permanent_error("response larger than " + std::to_string(kMaxMessageBytes) + " bytes");
  auto section = split_header_section(bytes);
  if (!section) return section.error();
  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2)
  std::string_view line = section->start_line;
  constexpr std::string_view kVersion = "SIP/2.0 ";
  if (line.size() < kVersion.size() + 3 || !text::iequals(line.substr(0, kVersion.size()), kVersion))
    return permanent_error("not a SIP/2.0 status line: " + text::quote_for_message(line));
  line.remove_prefix(kVersion.size());
  auto code = parse_count(line.substr(0, 3), 699);
  if (!code || *code < 100 || (line.size() > 3 && line[3] != ' '))
    return permanent_error("invalid status code in " + text::quote_for_message(section->start_line));
  Response response;
  response.status = static_cast<int>(*code);
  response.reason = std::string(line.size() > 4 ? line.substr(4) : std::string_view{});
  response.headers = std::move(section->headers);

  for (const char* required : {"Via", "CSeq", "Call-ID", "From", "To"})
    if (!find_header(response.headers, required))
      return permanent_error(std::string("response without ") + required);
  auto length = content_length(response.headers);
  if (!length) return length.error();
  std::string_view body = bytes.substr(section->body_offset);
  if (length->has_value()) {
    // §18.3: a datagram with fewer bytes than Content-Length is discarded;
    // bytes past it are ignored.
    if (**length > body.size())
      return permanent_error("body shorter than its Content-Length " + std::to_string(**length));
    body = body.substr(0, **length);
  }
  response.body = std::string(body);
  return response;
}

Result<size_t> framed_message_length(std::string_view buffer) {
  size_t end = buffer.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (buffer.size() > kMaxHeaderBytes)
      return permanent_error("header section larger than " + std::to_string(kMaxHeaderBytes) +
                             " bytes");
    return size_t{0};
  }
  auto section = split_header_section(buffer.substr(0, end + 4));
  if (!section) return section.error();
  auto length = content_length(section->headers);
  if (!length) return length.error();
  if (!length->has_value())
    return permanent_error("message on a stream without Content-Length");
  const size_t total = end + 4 + **length;
  return buffer.size() >= total ? total : size_t{0};
}

}  // namespace lnotify::sip

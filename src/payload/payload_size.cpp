#include "lnotify/payload/payload_size.h"

#include <cstdint>
#include <vector>

#include "core/utf8.h"

namespace lnotify {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026

class Fitter {
 public:
  Fitter(const XemnFacts& facts, size_t limit, const XemnEncoder& encode)
      : facts_(facts), limit_(limit), encode_(encode) {}

  // Tries the current facts; sets fitted_ when they fit.
  Result<bool> try_current() { return try_facts(facts_); }

  // Cuts the text field to the longest prefix (plus an ellipsis) that fits,
  // or empties it. Encoded size grows with the prefix, so a binary search over
  // the character boundaries finds the longest one.
  Result<bool> shorten(std::string XemnFacts::*field, const char* name) {
    const std::string full = utf8::sanitize(facts_.*field);
    facts_.*field = full;
    if (full.empty()) return false;  // nothing that would be written
    const std::vector<size_t> cuts = utf8::cut_points(full);
    size_t lo = 1, hi = cuts.size() - 1;  // candidate prefix ends: cuts[1..size-2]
    std::optional<std::string> best_bytes;
    size_t best_len = 0;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      XemnFacts trial = facts_;
      trial.*field = full.substr(0, cuts[mid]) + std::string(kEllipsis);
      auto bytes = encode_(trial);
      if (!bytes) return bytes.error();
      if (bytes->size() <= limit_) {
        best_bytes = std::move(*bytes);
        best_len = cuts[mid];
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (best_bytes) {
      facts_.*field = full.substr(0, best_len) + std::string(kEllipsis);
      note(std::string(name) + " cut to " + std::to_string(best_len) + " bytes");
      fitted_ = std::move(*best_bytes);
      return true;
    }
    return drop(field, name);
  }

  template <typename T>
  Result<bool> drop(T XemnFacts::*field, const char* name) {
    if (facts_.*field == T{}) return false;
    facts_.*field = T{};
    note(std::string(name) + " dropped");
    return try_current();
  }

  FittedPayload result() { return FittedPayload{std::move(fitted_), std::move(reductions_)}; }

 private:
  Result<bool> try_facts(const XemnFacts& facts) {
    auto bytes = encode_(facts);
    if (!bytes) return bytes.error();
    if (bytes->size() > limit_) return false;
    fitted_ = std::move(*bytes);
    return true;
  }
  void note(const std::string& what) {
    if (!reductions_.empty()) reductions_ += ", ";
    reductions_ += what;
  }

  XemnFacts facts_;
  size_t limit_;
  const XemnEncoder& encode_;
  std::string fitted_;
  std::string reductions_;
};

// Text longer than the limit can never appear whole in a payload within the
// limit (XML and JSON escaping never shrink text), so cutting it to the limit
// first changes no outcome; it only keeps a 100 kB header from being encoded
// dozens of times in full.
XemnFacts precut(const XemnFacts& facts, size_t limit) {
  XemnFacts f = facts;
  for (std::string* text : {&f.event, &f.view, &f.sender, &f.subject, &f.snippet, &f.message}) {
    if (!utf8::is_clean(*text)) *text = utf8::sanitize(*text);
    if (text->size() <= limit) continue;
    const std::vector<size_t> cuts = utf8::cut_points(*text);
    size_t keep = 0;
    for (size_t cut : cuts)
      if (cut <= limit) keep = cut;
    text->resize(keep);
  }
  return f;
}

}  // namespace

Result<std::optional<FittedPayload>> fit_to_size(const XemnFacts& facts, size_t limit,
                                                 const XemnEncoder& encode) {
  if (limit == SIZE_MAX) {
    // No limit: one encoding, no trial copies (the common case).
    auto bytes = encode(facts);
    if (!bytes) return bytes.error();
    return std::optional<FittedPayload>(FittedPayload{std::move(*bytes), {}});
  }
  Fitter fitter(precut(facts, limit), limit, encode);
  // Each step returns true as soon as the payload fits.
  std::function<Result<bool>()> steps[] = {
      [&] { return fitter.try_current(); },
      [&] { return fitter.shorten(&XemnFacts::snippet, "snippet"); },
      [&] { return fitter.shorten(&XemnFacts::message, "message"); },
      [&] { return fitter.shorten(&XemnFacts::subject, "subject"); },
      [&] { return fitter.drop(&XemnFacts::sender, "sender"); },
      [&] { return fitter.drop(&XemnFacts::datetime, "datetime"); },
      [&] { return fitter.drop(&XemnFacts::view, "view"); },
      [&] { return fitter.drop(&XemnFacts::event, "event"); },
      [&] { return fitter.drop(&XemnFacts::uid, "uid"); },
      [&] { return fitter.drop(&XemnFacts::sequence_id, "sequence-id"); },
  };
  for (auto& step : steps) {
    auto fits = step();
    if (!fits) return fits.error();
    if (*fits) return std::optional<FittedPayload>(fitter.result());
  }
  return std::optional<FittedPayload>();
}

}  // namespace lnotify

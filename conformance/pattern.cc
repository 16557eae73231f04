// PCRE2 behind the conformance cases' patterns (see pattern.h).
#include "pattern.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace codecache::conformance {
namespace {

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  int n = pcre2_get_error_message(code, buffer, sizeof buffer);
  return n < 0 ? "PCRE2 error " + std::to_string(code) : std::string(reinterpret_cast<char*>(buffer), n);
}

struct MatchData {
  pcre2_match_data* data;
  explicit MatchData(const pcre2_code* code) : data(pcre2_match_data_create_from_pattern(code, nullptr)) {
    if (data == nullptr) throw std::bad_alloc();
  }
  ~MatchData() { pcre2_match_data_free(data); }
  MatchData(const MatchData&) = delete;
  MatchData& operator=(const MatchData&) = delete;
};

}  // namespace

struct Pattern::Compiled {
  pcre2_code* code = nullptr;
  ~Compiled() { pcre2_code_free(code); }
};

Pattern::Pattern(std::string_view text) : text_(text), compiled_(std::make_unique<Compiled>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), PCRE2_DOLLAR_ENDONLY, &error, &offset,
                                  nullptr);
  if (compiled_->code == nullptr) {
    throw PatternError("bad pattern /" + text_ + "/ at offset " + std::to_string(offset) + ": " +
                       pcre2_message(error));
  }
  // The JIT makes long subjects cheap; where it is not available the interpreter
  // decides the same matches.
  pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE);
}

Pattern::~Pattern() = default;
Pattern::Pattern(Pattern&&) noexcept = default;
Pattern& Pattern::operator=(Pattern&&) noexcept = default;

namespace {

// One pcre2_match from `start`: the number of captures (> 0) or 0 for no match.
int match_at(const pcre2_code* code, const std::string& pattern, std::string_view subject, std::size_t start,
             std::uint32_t options, pcre2_match_data* data) {
  int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), start, options, data,
                       nullptr);
  if (rc == PCRE2_ERROR_NOMATCH) return 0;
  if (rc < 0) {
    throw PatternError("/" + pattern + "/ could not be decided on a subject of " + std::to_string(subject.size()) +
                       " bytes: " + pcre2_message(rc));
  }
  return rc;
}

}  // namespace

std::optional<std::size_t> Pattern::find(std::string_view subject) const {
  MatchData m(compiled_->code);
  if (match_at(compiled_->code, text_, subject, 0, 0, m.data) == 0) return std::nullopt;
  return pcre2_get_ovector_pointer(m.data)[0];
}

std::vector<std::string> Pattern::all_matches(std::string_view subject) const {
  MatchData m(compiled_->code);
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= subject.size() && match_at(compiled_->code, text_, subject, start, 0, m.data) > 0) {
    const PCRE2_SIZE* at = pcre2_get_ovector_pointer(m.data);
    out.emplace_back(subject.substr(at[0], at[1] - at[0]));
    start = at[1] > at[0] ? at[1] : at[1] + 1;
  }
  return out;
}

std::vector<std::string> Pattern::full_match(std::string_view subject) const {
  MatchData m(compiled_->code);
  int n = match_at(compiled_->code, text_, subject, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, m.data);
  std::vector<std::string> groups;
  const PCRE2_SIZE* at = pcre2_get_ovector_pointer(m.data);
  for (int i = 0; i < n; ++i) {
    groups.emplace_back(at[2 * i] == PCRE2_UNSET ? std::string_view() : subject.substr(at[2 * i], at[2 * i + 1] - at[2 * i]));
  }
  return groups;
}

std::string Pattern::quote(std::string_view text) {
  static constexpr std::string_view special = R"(\^$.|?*+()[]{})";
  std::string out;
  for (char c : text) {
    if (special.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace codecache::conformance

// Reading nginx's error.log (see nginx_error_log.h).
#include "nginx_error_log.h"

#include <algorithm>
#include <array>

#include "core/plumbing/settings.h"
#include "pattern.h"

namespace codecache::conformance {
namespace {

// 0 for debug up to 8 for stderr; 9 for a word that is no level.
int severity(const std::string& level) {
  constexpr auto kLevels = log_level_names();  // stderr (the most severe) .. debug
  const auto it = std::find(kLevels.begin(), kLevels.end(), level);
  return it == kLevels.end() ? static_cast<int>(kLevels.size()) : static_cast<int>(kLevels.end() - 1 - it);
}

// "2026/11/23 23:19:54 [error] 11920#11920: *1 message"
bool starts_entry(const std::string& line) {
  return line.size() > 21 && line[4] == '/' && line[7] == '/' && line[10] == ' ' && line[13] == ':' &&
         line[19] == ' ' && line[20] == '[';
}

NginxLogEntry make_entry(const std::string& raw) {
  NginxLogEntry e;
  const std::size_t close = raw.find(']', 21);
  e.level = raw.substr(21, close - 21);
  std::size_t at = raw.find(": ", close);  // after "pid#tid"
  at = at == std::string::npos ? close + 1 : at + 2;
  if (at < raw.size() && raw[at] == '*') {  // "*<connection> "
    const std::size_t space = raw.find(' ', at);
    at = space == std::string::npos ? raw.size() : space + 1;
  }
  std::string message = raw.substr(at);
  // nginx's tail for entries logged under a request (ngx_http_log_error; never
  // on debug entries, which skip the log handler in ngx_log_error_core).
  if (e.level == "debug" || message.find(", client: ") == std::string::npos) {
    e.text = "[" + e.level + "] " + message;
    return e;
  }
  static const Pattern tail(R"(, client: [^,]*, server: [^,]*, request: "[^"]*"(, [a-z]+: "[^"]*")*$)");
  if (const auto start = tail.find(message)) message.erase(*start);
  e.text = "[" + e.level + "] " + message;
  return e;
}

}  // namespace

std::vector<NginxLogEntry> parse_nginx_error_log(const std::string& log_text) {
  std::vector<NginxLogEntry> out;
  std::string current;
  std::size_t at = 0;
  auto flush = [&] {
    if (!current.empty()) out.push_back(make_entry(current));
    current.clear();
  };
  while (at < log_text.size()) {
    std::size_t eol = log_text.find('\n', at);
    if (eol == std::string::npos) eol = log_text.size();
    std::string line = log_text.substr(at, eol - at);
    at = eol + 1;
    if (starts_entry(line)) {
      flush();
      current = line;
    } else if (!current.empty()) {
      current += "\n" + line;
    }
  }
  flush();
  return out;
}

std::vector<std::string> entries_at_level(const std::vector<NginxLogEntry>& entries, const std::string& min_level) {
  std::vector<std::string> out;
  const int floor = severity(min_level);
  for (const auto& e : entries) {
    if (severity(e.level) >= floor) out.push_back(e.text);
  }
  return out;
}

NginxCacheView cache_view(const std::vector<NginxLogEntry>& entries) {
  NginxCacheView view;
  static const Pattern line(R"(\[debug\] code cache (lookup|miss|hit) \(key='([^']*)', ref=-?\d+\))");
  for (const auto& e : entries) {
    if (e.level != "debug") continue;
    const std::vector<std::string> m = line.full_match(e.text);
    if (m.empty()) continue;
    if (m[1] == "lookup" && !view.looked_up) {
      view.looked_up = true;
      view.key = m[2];
    }
    if (m[1] == "hit") view.hit = true;
    if (m[1] == "miss") view.missed = true;
  }
  return view;
}

}  // namespace codecache::conformance

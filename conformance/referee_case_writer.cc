// Writing a disagreement as a conformance case (see referee_case_writer.h).
#include "referee_case_writer.h"

#include "case_file.h"

namespace codecache::conformance {
namespace {

std::string quoted(const std::string& bytes) { return "\"" + escape(bytes) + "\""; }

// The pieces of a log entry's first line that do not name the handler's file:
// Lua shortens a long chunk name ("...x/h.lua"), so an expectation never spans it.
std::vector<std::string> log_pieces(const std::string& entry, const std::string& path) {
  std::string line = entry.substr(0, entry.find('\n'));
  std::vector<std::string> pieces;
  std::size_t at = 0;
  while (true) {
    const std::size_t hit = path.empty() ? std::string::npos : line.find(path, at);
    const std::string piece = line.substr(at, hit == std::string::npos ? std::string::npos : hit - at);
    // A piece of a few bytes (":" between two paths) says nothing on its own.
    // An address was read as "0x?" (referee_differential.h): no exact text to expect.
    if (piece.size() >= 4 && piece.find_first_not_of(" \t") != std::string::npos &&
        piece.find("0x?") == std::string::npos)
      pieces.push_back(piece);
    if (hit == std::string::npos) break;
    at = hit + path.size();
  }
  return pieces;
}

}  // namespace

std::string generated_case_text(const GeneratedCase& g) {
  const std::string cache = g.code_cache ? "on" : "off";
  std::string out = "Found by the generated differential: referee_fuzz_" + g.build + " --seed " +
                    std::to_string(g.seed) + " --code-cache " + cache + " (dress " + g.dress + "), minimised.\n" +
                    "The expectations are what the real module (" + g.build +
                    " build) answered; the model disagreed on\n" + g.disagreement_class.substr(0, 200) + "\n\n" +
                    "--- property: runtime\n\n";
  out += "=== generated " + g.build + " " + cache + " " + std::to_string(g.seed) + "\n";
  out += "--- engines: " + g.engine + "\n--- profiles: " + g.profile + "\n--- code_cache: " + cache + "\n";
  out += "--- handler file h.lua: " + quoted(g.source) + "\n";
  std::string requests, statuses;
  for (std::size_t i = 0; i < g.nginx_requests.size(); ++i) {
    requests += std::string(i ? " " : "") + "h.lua";
    statuses += std::string(i ? " " : "") + std::to_string(g.nginx_requests[i].status);
  }
  out += "--- requests: " + requests + "\n--- status: " + statuses + "\n";
  for (std::size_t i = 0; i < g.nginx_requests.size(); ++i) {
    const Outcome& o = g.nginx_requests[i];
    const std::string n = "[" + std::to_string(i + 1) + "]";
    if (o.aborted) out += "--- aborted" + n + ": true\n";
    if (o.body.find("0x?") == std::string::npos) out += "--- body" + n + ": " + quoted(o.body) + "\n";
    bool any_error = false;
    for (const std::string& entry : o.log) {
      any_error = any_error || entry.rfind("[error]", 0) == 0;
      for (const std::string& piece : log_pieces(entry, g.handler_path_in_log))
        out += "--- error_log" + n + ": " + quoted(piece) + "\n";
    }
    if (!any_error) out += "--- no_error_log" + n + ": [error]\n";
  }
  return out;
}

}  // namespace codecache::conformance

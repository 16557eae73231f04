// Renders the conformance report (see report_markdown.h).
#include "report_markdown.h"

#include <sstream>

#include "core/plumbing/settings.h"

namespace codecache::conformance {

namespace {

std::string cell(const Tally& t) {
  if (t.total == 0) return "–";
  std::string s = std::to_string(t.passed) + "/" + std::to_string(t.total);
  return t.passed == t.total ? s : "**" + s + "** ✗";
}

const Tally& at(const ReportMatrix& m, const ReportMatrix::Row& row, const std::string& column) {
  static const Tally kNone;
  const auto r = m.cells.find(row);
  if (r == m.cells.end()) return kNone;
  const auto c = r->second.find(column);
  return c == r->second.end() ? kNone : c->second;
}

}  // namespace

std::string render_report(const ReportMatrix& m, const std::vector<EngineRuns>& results,
                          const std::string& generated_at) {
  std::ostringstream md;
  md << "# codecache conformance report\n\n";
  md << "Generated " << generated_at << " by `codecache conform`. " << m.cases.size() << " cases ("
     << m.hostile_cases.size() << " hostile), " << m.runs << " runs (case x engine x profile x code cache), "
     << m.runs - m.failed << " passed, " << m.failed << " failed; " << static_cast<int>(m.seconds + 0.5)
     << " s of run time summed over the runners.\n\n";
  md << "Each cell is passed/total runs of the cases of that property. *Loads like the factory / "
        "like direct*: the loader cases, which expect the closure factory under `classic` and "
        "`sealed` and the direct load under `openresty`. *Cached equals uncached*: cases whose "
        "expectations do not depend on `lua_code_cache`, counted once per case when the `on` and "
        "`off` runs both pass and give the same whole outcome of every request (status, limit, "
        "body, log; addresses aside, and the body and log of a request cut off by the CPU budget, where the cut lands by timing). "
        "*Hostile*: the cases labelled `hostile`, whatever their property.\n\n";
  md << "| engine | profile |";
  for (const auto& c : m.columns) md << " " << c.title << " |";
  md << " all runs |\n|---|---|";
  for (std::size_t i = 0; i <= m.columns.size(); ++i) md << "---|";
  md << "\n";
  for (const auto& r : results) {
    for (const std::string_view profile_name : profile_names()) {
      const std::string profile(profile_name);
      const ReportMatrix::Row row{r.engine, profile};
      md << "| " << r.engine << " | " << profile << " |";
      for (const auto& c : m.columns) {
        std::string text = cell(at(m, row, c.key));
        if (c.key == "loader" && text != "–") text = (profile == "openresty" ? "direct " : "factory ") + text;
        md << " " << text << " |";
      }
      const auto all = m.all.find(row);
      md << " " << cell(all == m.all.end() ? Tally{} : all->second) << " |\n";
    }
  }
  md << "\n## Failing cases\n\n";
  if (m.failed == 0 && m.disagreements == 0) md << "None.\n";
  for (const auto& r : results) {
    for (const std::string_view profile : profile_names()) {
      const ReportMatrix::Row row{r.engine, std::string(profile)};
      for (const auto& c : m.columns) {
        const Tally& t = at(m, row, c.key);
        if (t.failing.empty()) continue;
        md << "- **" << r.engine << " / " << profile << " / " << c.title << "**: ";
        for (std::size_t i = 0; i < t.failing.size(); ++i) md << (i ? ", " : "") << "`" << t.failing[i] << "`";
        md << "\n";
      }
    }
  }
  if (m.failed > 0) {
    md << "\n## Details\n\n";
    for (const auto& r : results) {
      for (const auto& run : r.runs) {
        if (run["passed"].get<bool>()) continue;
        md << "- `" << run["id"].get<std::string>() << "` (" << r.engine << " "
           << run["profile"].get<std::string>() << " code_cache " << run["code_cache"].get<std::string>()
           << ", " << run["file"].get<std::string>() << ":" << run["line"].get<int>() << ")\n";
        for (const auto& f : run["failures"]) md << "  - " << f.get<std::string>() << "\n";
      }
    }
    md << "\nRe-run one with `build/bin/conform_<engine> --case ID --profile P --code-cache on|off`: "
          "it prints expected and actual side by side and the `codecache run` command.\n";
  }
  return md.str();
}

}  // namespace codecache::conformance

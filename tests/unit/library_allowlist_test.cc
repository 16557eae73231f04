// The allow-list (library_allowlist.h) against what it documents and builds: the
// README's table of refused and absent fields names exactly the list's, and the
// libraries of a VM hold exactly the list's fields for this engine and profile.
#include "core/hardening/library_allowlist.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "unit/test_support.h"

namespace codecache::test {
namespace {

// How the README names a field: `require("x")` for a preloaded module.
std::string readme_name(const LibraryField& f) {
  if (f.library == "package.preload") return "require(\"" + std::string(f.name) + "\")";
  return f.what();
}

struct ReadmeRow {
  std::set<std::string> refused;
  std::set<std::string> absent;
};

std::set<std::string> backticked(const std::string& cell) {
  std::set<std::string> names;
  const std::regex code("`([^`]+)`");
  for (auto it = std::sregex_iterator(cell.begin(), cell.end(), code); it != std::sregex_iterator();
       ++it) {
    names.insert((*it)[1]);
  }
  return names;
}

// The row of README "Hostile code"'s table that starts with `label`.
ReadmeRow readme_row(const std::string& label) {
  std::ifstream in(std::string(CODECACHE_CORPUS_DIR) + "/../README.md");
  std::string line;
  while (std::getline(in, line)) {
    const std::string prefix = "  | " + label + " |";
    if (line.rfind(prefix, 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream split(line);
    std::string cell;
    while (std::getline(split, cell, '|')) cells.push_back(cell);
    if (cells.size() < 4) break;
    return {backticked(cells[2]), backticked(cells[3])};
  }
  ADD_FAILURE() << "README.md has no table row '" << label << "'";
  return {};
}

TEST(LibraryAllowlist, ReadmeNamesEveryRefusedAndAbsentField) {
  ReadmeRow every;
  ReadmeRow sealed_also;
  for (const LibraryField& f : library_allowlist()) {
    // The README has no row for classic or openresty alone.
    ASSERT_EQ(f.classic, f.openresty) << f.what();
    for (Access access : {Access::refuse, Access::absent}) {
      auto& row_every = access == Access::refuse ? every.refused : every.absent;
      auto& row_sealed = access == Access::refuse ? sealed_also.refused : sealed_also.absent;
      if (f.classic == access && f.sealed == access) row_every.insert(readme_name(f));
      if (f.classic != access && f.sealed == access) row_sealed.insert(readme_name(f));
      EXPECT_FALSE(f.classic == access && f.sealed != access)
          << f.what() << ": the README has no row for what sealed alone allows";
    }
  }
  const ReadmeRow readme_every = readme_row("every profile");
  const ReadmeRow readme_sealed = readme_row("`sealed` also");
  EXPECT_EQ(readme_every.refused, every.refused);
  EXPECT_EQ(readme_every.absent, every.absent);
  EXPECT_EQ(readme_sealed.refused, sealed_also.refused);
  EXPECT_EQ(readme_sealed.absent, sealed_also.absent);
}

class AllowlistProfiles : public ::testing::TestWithParam<Profile> {};
INSTANTIATE_TEST_SUITE_P(Profiles, AllowlistProfiles,
                         ::testing::Values(Profile::classic, Profile::openresty, Profile::sealed),
                         [](const auto& tp) { return profile_name(tp.param); });

// Each library a handler sees holds the listed fields that the engine has (or
// the harness makes), and nothing else; refused fields are functions.
TEST_P(AllowlistProfiles, LibrariesHoldExactlyTheList) {
  const engine::Id engine = engine::id();
  for (std::string_view library : allowlisted_libraries()) {
    if (library == "_G") continue;  // sealed's request globals are filled on first use
    SCOPED_TRACE(std::string(library));
    std::set<std::string> may;   // allowed: present where the engine has it
    std::set<std::string> must;  // refused or the harness's own
    for (const LibraryField& f : library_allowlist()) {
      if (f.library != library || !f.on(engine)) continue;
      const Access access = f.under(GetParam());
      if (access == Access::allow) may.insert(std::string(f.name));
      if (access == Access::refuse || access == Access::harness) must.insert(std::string(f.name));
    }
    const Outcome out = run_inline(
        GetParam(),
        "local t = _G for part in (\"" + std::string(library) + "\"):gmatch(\"[^.]+\") do "
        "t = t and t[part] end if t == nil then return end "
        "local k = {} for n in pairs(t) do k[#k + 1] = n end table.sort(k) "
        "ngx.print(table.concat(k, \" \"))");
    ASSERT_EQ(out.status, 200) << dump_log(out);
    std::set<std::string> seen;
    std::stringstream names(out.body);
    for (std::string name; names >> name;) seen.insert(name);
    for (const std::string& name : must) EXPECT_TRUE(seen.count(name)) << name;
    for (const std::string& name : seen) {
      EXPECT_TRUE(may.count(name) || must.count(name)) << name << " is not on the list";
    }
  }
}

}  // namespace
}  // namespace codecache::test

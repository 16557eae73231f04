// The case parser (conformance/case_file.h, conformance/README.md "The case format"):
// valid case texts fill the fields they say, and every malformed one fails with the
// file:line of the offending line and a message that says what was wrong.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "case_file.h"
#include "support/scratch_dir.h"

namespace codecache::conformance {
namespace {

// Parses case texts written to a scratch file, `t.case` (so ids are `t/<slug>`).
class CaseParser : public ::testing::Test {
 protected:
  std::vector<Case> parse(const std::string& text) { return parse_case_file(write(text)); }

  // Passes when parsing `text` fails at `line` with a message containing `phrase`.
  ::testing::AssertionResult fails_at(const std::string& text, int line, const std::string& phrase) {
    const std::string place = write(text) + ":" + std::to_string(line) + ": ";
    try {
      parse_case_file(path_);
    } catch (const CaseError& e) {
      const std::string message = e.what();
      if (message.starts_with(place) && message.find(phrase) != std::string::npos)
        return ::testing::AssertionSuccess();
      return ::testing::AssertionFailure() << "the error is\n  " << message << "\nnot at\n  " << place
                                           << "\nsaying\n  " << phrase;
    }
    return ::testing::AssertionFailure() << "parsed without an error; expected " << place << phrase;
  }

  // A case with one handler and `sections` below it: `sections` start on line 3.
  static std::string one_case(const std::string& sections) {
    return "=== c\n--- handler inline: ngx.say(1)\n" + sections;
  }

 private:
  std::string write(const std::string& text) {
    path_ = scratch_.write("t.case", text);
    return path_;
  }

  test_support::ScratchDir scratch_;
  std::string path_;
};

// ---- Valid inputs fill the fields they say.

TEST_F(CaseParser, ACaseFillsEveryField) {
  const std::vector<Case> cases = parse(
      "Preamble text.\n"
      "--- labels: hostile\n"
      "=== TEST 1: every field\n"
      "Free text,\n"
      "  trimmed.\n"
      "--- engines: lua51 luajit\n"
      "--- profiles: classic\n"
      "--- code_cache: off\n"
      "--- property: loader\n"
      "--- log_level: debug\n"
      "--- max_instructions: 0x10\n"
      "--- max_cpu_ms: 100\n"
      "--- max_memory_mb: 32\n"
      "--- module_path: lib lib2\n"
      "--- conf_line: 41\n"
      "--- nginx: no (the referee has no such build)\n"
      "--- handler inline a: ngx.say(\"a\")\n"
      "--- handler file html/b.lua b\n"
      "ngx.say(\"b\")\n"
      "--- file lib/m.lua chomp\n"
      "return 1\n"
      "--- file_from_dump html/c.luac strip truncate=8: return 1\n"
      "--- file_fill big.txt: size=10 prefix=\"<\" suffix=\">\" fill=\"-\"\n"
      "--- directory html/dir\n"
      "--- step fix: write html/b.lua\n"
      "ngx.say(\"fixed\")\n"
      "--- requests: a b fix b\n"
      "--- repeat: 2\n"
      "--- status: 200\n"
      "--- body[3]: fixed\\n\n"
      "--- profile classic: limit: none\n"
      "--- error_log\n"
      "one\n"
      "\n"
      "two\n"
      "--- grep_error_log: o\\w+\n"
      "--- grep_error_log_out\n"
      "one\n");
  ASSERT_EQ(cases.size(), 1u);
  const Case& c = cases[0];
  EXPECT_EQ(c.line, 3);
  EXPECT_EQ(c.name, "every field");
  EXPECT_EQ(c.id, "t/every_field");
  EXPECT_EQ(c.description, "Free text,\ntrimmed.\n");
  EXPECT_EQ(c.labels, std::vector<std::string>{"hostile"});
  EXPECT_EQ(c.engines, (std::vector<std::string>{"lua51", "luajit"}));
  EXPECT_EQ(c.profiles, std::vector<std::string>{"classic"});
  EXPECT_EQ(c.code_cache, std::vector<bool>{false});
  EXPECT_EQ(c.property, "loader");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.max_instructions, 16u);
  EXPECT_EQ(c.max_cpu_ms, 100u);
  EXPECT_EQ(c.max_memory_mb, 32u);
  EXPECT_EQ(c.module_path, (std::vector<std::string>{"lib", "lib2"}));
  EXPECT_EQ(c.conf_line, 41);
  EXPECT_EQ(c.nginx_excluded, "the referee has no such build");

  ASSERT_EQ(c.handlers.size(), 2u);
  EXPECT_EQ(c.handlers[0].label, "a");
  EXPECT_FALSE(c.handlers[0].is_file);
  EXPECT_EQ(c.handlers[0].code.text, "ngx.say(\"a\")");
  EXPECT_EQ(c.handlers[0].line, 17);
  EXPECT_EQ(c.handlers[1].label, "b");
  EXPECT_TRUE(c.handlers[1].is_file);
  EXPECT_EQ(c.handlers[1].path, "html/b.lua");

  ASSERT_EQ(c.files.size(), 5u);
  EXPECT_EQ(c.files[0].path, "html/b.lua");  // the file handler's content
  EXPECT_EQ(c.files[0].content.text, "ngx.say(\"b\")\n");
  EXPECT_EQ(c.files[1].path, "lib/m.lua");
  EXPECT_EQ(c.files[1].content.text, "return 1");  // chomp
  EXPECT_EQ(c.files[2].kind, FileSpec::Kind::dump);
  EXPECT_TRUE(c.files[2].strip);
  EXPECT_EQ(c.files[2].truncate, 8u);
  EXPECT_EQ(c.files[2].content.text, "return 1");
  EXPECT_EQ(c.files[3].kind, FileSpec::Kind::fill);
  EXPECT_EQ(c.files[3].size, 10u);
  EXPECT_EQ(c.files[3].prefix, "<");
  EXPECT_EQ(c.files[3].fill, "-");
  EXPECT_EQ(c.files[3].suffix, ">");
  EXPECT_EQ(c.files[4].kind, FileSpec::Kind::directory);
  EXPECT_EQ(c.files[4].path, "html/dir");

  ASSERT_EQ(c.steps.size(), 1u);
  EXPECT_EQ(c.steps[0].name, "fix");
  EXPECT_EQ(c.steps[0].action.path, "html/b.lua");
  EXPECT_EQ(c.steps[0].action.content.text, "ngx.say(\"fixed\")\n");
  EXPECT_EQ(c.requests, (std::vector<std::string>{"a", "b", "fix", "b", "a", "b", "fix", "b"}));
  EXPECT_EQ(c.served().size(), 6u);
  EXPECT_EQ(c.grep_error_log, "o\\w+");

  ASSERT_EQ(c.expectations.size(), 6u);
  EXPECT_EQ(c.expectations[0].field, Field::status);
  EXPECT_EQ(c.expectations[0].values, std::vector<std::string>{"200"});
  EXPECT_EQ(c.expectations[1].field, Field::body);
  EXPECT_EQ(c.expectations[1].request, 3);
  EXPECT_EQ(c.expectations[1].value(), "fixed\n");
  EXPECT_EQ(c.expectations[2].field, Field::limit);
  EXPECT_EQ(c.expectations[2].when.profiles, std::vector<std::string>{"classic"});
  EXPECT_EQ(c.expectations[2].line, 31);
  EXPECT_EQ(c.expectations[3].value(), "one");  // one expectation per non-blank line of the block
  EXPECT_EQ(c.expectations[4].value(), "two");
  EXPECT_EQ(c.expectations[5].field, Field::grep_error_log_out);
  EXPECT_EQ(c.expectations[5].value(), "one\n");
}

TEST_F(CaseParser, DefaultsBeforeTheFirstCaseApplyToEveryCaseUntilOneSetsItsOwn) {
  const std::vector<Case> cases = parse(
      "--- engines: luajit2\n"
      "--- max_cpu_ms: 200\n"
      "=== a\n"
      "--- handler inline: ngx.say(1)\n"
      "=== b\n"
      "--- engines: lua51\n"
      "--- handler inline: ngx.say(1)\n");
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].engines, std::vector<std::string>{"luajit2"});
  EXPECT_EQ(cases[1].engines, std::vector<std::string>{"lua51"});
  EXPECT_EQ(cases[1].max_cpu_ms, 200u);
}

TEST_F(CaseParser, TitlesMayBeTestNginxStyle) {
  const std::vector<Case> cases = parse(
      "=== TEST 3: foo\n--- handler inline: ngx.say(1)\n"
      "=== name: bar\n--- handler inline: ngx.say(1)\n");
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].id, "t/foo");
  EXPECT_EQ(cases[1].id, "t/bar");
}

TEST_F(CaseParser, BlocksKeepTheirLinesAndDropTrailingBlankOnes) {
  const std::vector<Case> cases = parse(one_case(
      "--- body\n  x  \n\ny\n\n\n"
      "--- body[1] chomp\nz\n"
      "--- body escaped\na\\tb\n"
      "--- handler inline\n#!/usr/bin/env lua\n -- not a section\n --- not one either\n"));
  ASSERT_EQ(cases.size(), 1u);
  const Case& c = cases[0];
  ASSERT_EQ(c.expectations.size(), 3u);
  EXPECT_EQ(c.expectations[0].value(), "  x  \n\ny\n");
  EXPECT_EQ(c.expectations[1].value(), "z");
  EXPECT_EQ(c.expectations[2].value(), "a\tb\n");
  ASSERT_EQ(c.handlers.size(), 2u);
  EXPECT_EQ(c.handlers[1].code.text, "#!/usr/bin/env lua\n -- not a section\n --- not one either\n");
}

TEST_F(CaseParser, OneLineValuesAreTrimmedUnlessQuotedAndTakeEscapes) {
  const std::vector<Case> cases = parse(one_case(
      "--- body:   a\\x41\\n  \n"
      "--- body[1]: \" b \"\n"
      "--- body_like:  ^\\d+$ \n"));
  ASSERT_EQ(cases.size(), 1u);
  const Case& c = cases[0];
  ASSERT_EQ(c.expectations.size(), 3u);
  EXPECT_EQ(c.expectations[0].value(), "aA\n");
  EXPECT_EQ(c.expectations[1].value(), " b ");
  EXPECT_EQ(c.expectations[2].value(), "^\\d+$");  // regexes are raw
}

TEST_F(CaseParser, OneValuePerRequestAndQualifiedOneLineExpectations) {
  const std::vector<Case> cases = parse(
      "=== c\n"
      "--- handler inline a: ngx.say(1)\n"
      "--- handler inline b: ngx.say(2)\n"
      "--- status: 200 404\n"
      "--- engine lua51 luajit, profile classic, code_cache on: error_log: x\n"
      "--- code_cache off: status[2]: -1\n");
  ASSERT_EQ(cases.size(), 1u);
  const Case& c = cases[0];
  ASSERT_EQ(c.expectations.size(), 3u);
  EXPECT_EQ(c.expectations[0].values, (std::vector<std::string>{"200", "404"}));
  EXPECT_EQ(c.expectations[1].when.describe(), "engine lua51 luajit, profile classic, code_cache on");
  EXPECT_EQ(c.expectations[2].request, 2);
  EXPECT_EQ(c.expectations[2].value(), "-1");  // ngx.status = ngx.ERROR (runtime.case)
}

// ---- The existing error paths: each names the file:line and what was wrong.

TEST_F(CaseParser, AFileThatCannotBeOpenedIsAnError) {
  try {
    parse_case_file("/nonexistent/dir/x.case");
    FAIL() << "parsed";
  } catch (const CaseError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/dir/x.case:0: cannot open");
  }
}

TEST_F(CaseParser, UnknownSection) {
  EXPECT_TRUE(fails_at(one_case("--- bogus: x\n"), 3, "unknown section 'bogus'"));
  EXPECT_TRUE(fails_at(one_case("--- bogus\nx\n"), 3, "unknown section 'bogus'"));
  EXPECT_TRUE(fails_at(one_case("--- engine: lua51\n"), 3, "unknown section 'engine'"));
}

TEST_F(CaseParser, BadEngineProfileOrChoiceName) {
  EXPECT_TRUE(fails_at(one_case("--- engines: lua51 lua52\n"), 3, "'lua52' is not valid for engines"));
  EXPECT_TRUE(fails_at(one_case("--- profiles: strict\n"), 3, "'strict' is not valid for profiles"));
  EXPECT_TRUE(fails_at(one_case("--- code_cache: yes\n"), 3, "'yes' is not valid for code_cache"));
  EXPECT_TRUE(fails_at(one_case("--- limit: lots\n"), 3, "'lots' is not valid for limit"));
  EXPECT_TRUE(fails_at(one_case("--- engines:\n"), 3, "'engines' needs at least one value"));
  EXPECT_TRUE(fails_at("--- engines: lua52\n=== c\n--- handler inline: ngx.say(1)\n", 1,
                       "'lua52' is not valid for engines"));
}

TEST_F(CaseParser, BadQualifier) {
  EXPECT_TRUE(fails_at(one_case("--- engine lua52: body: x\n"), 3, "'lua52' is not valid for engine"));
  EXPECT_TRUE(fails_at(one_case("--- profile classic, os linux: body: x\n"), 3, "unknown qualifier 'os'"));
  EXPECT_TRUE(fails_at(one_case("--- profile classic, engine: body: x\n"), 3, "qualifier 'engine' names nothing"));
  EXPECT_TRUE(fails_at(one_case("--- code_cache on\n"), 3, "a qualifier is followed by ': <directive>'"));
  EXPECT_TRUE(fails_at(one_case("--- profile classic: engines: lua51\n"), 3,
                       "only expectations take a qualifier, not 'engines'"));
  EXPECT_TRUE(fails_at(one_case("--- profile classic: bogus: x\n"), 3, "unknown section 'bogus'"));
}

TEST_F(CaseParser, MissingTitle) {
  EXPECT_TRUE(fails_at("=== \n--- handler inline: ngx.say(1)\n", 1, "a case needs a name"));
  EXPECT_TRUE(fails_at("=== TEST 1:\n--- handler inline: ngx.say(1)\n", 1, "a case needs a name"));
  EXPECT_TRUE(fails_at("=== name:\n--- handler inline: ngx.say(1)\n", 1, "a case needs a name"));
}

TEST_F(CaseParser, BadEscape) {
  EXPECT_TRUE(fails_at(one_case("--- body: \\q\n"), 3, "unknown escape '\\q'"));
  EXPECT_TRUE(fails_at(one_case("--- body: a\\\n"), 3, "a lone '\\' at the end"));
  EXPECT_TRUE(fails_at(one_case("--- body: \\xZZ\n"), 3, "\\x needs two hex digits"));
  EXPECT_TRUE(fails_at("=== c\n--- handler inline escaped\n\\x4\n", 2, "\\x needs two hex digits"));
  EXPECT_TRUE(fails_at(one_case("--- error_log escaped\nok\n\\q\n"), 3, "unknown escape '\\q'"));
  EXPECT_TRUE(fails_at(one_case("--- file_fill p: size=10 prefix=\"\\q\"\n"), 3, "unknown escape '\\q'"));
}

// A block ends at the next `--- ` or `=== ` line or at the end of the file, so the one
// thing that can be left open is a quoted value of a key=value list.
TEST_F(CaseParser, UnterminatedQuotedValue) {
  EXPECT_TRUE(fails_at(one_case("--- file_fill p: size=10 prefix=\"ab\n"), 3,
                       "unterminated quoted value for 'prefix'"));
}

TEST_F(CaseParser, MalformedHeaders) {
  EXPECT_TRUE(fails_at("=== c\n--- \n--- handler inline: ngx.say(1)\n", 2, "empty section header"));
  EXPECT_TRUE(fails_at(one_case("--- status[x]: 200\n"), 3, "bad request index in 'status[x]'"));
  EXPECT_TRUE(fails_at(one_case("--- status[2: 200\n"), 3, "bad request index in 'status[2'"));
  EXPECT_TRUE(fails_at(one_case("--- status[0]: 200\n"), 3, "request indices start at 1"));
}

TEST_F(CaseParser, WrongWordsOrValueShape) {
  EXPECT_TRUE(fails_at("=== c\n--- handler foo: x\n", 2, "a handler is 'inline' or 'file', not 'foo'"));
  EXPECT_TRUE(fails_at("=== c\n--- handler\n", 2, "usage: --- handler inline [LABEL] | --- handler file PATH [LABEL]"));
  EXPECT_TRUE(fails_at("=== c\n--- handler inline a b: x\n", 2, "unexpected 'b' after handler inline"));
  EXPECT_TRUE(fails_at(one_case("--- file\n"), 3, "usage: --- file PATH"));
  EXPECT_TRUE(fails_at(one_case("--- body foo: x\n"), 3, "unexpected 'foo' after body"));
  EXPECT_TRUE(fails_at(one_case("--- status\n200\n"), 3, "'status' takes a one-line value"));
  EXPECT_TRUE(fails_at(one_case("--- body_like\nx\n"), 3, "usage: --- body_like: REGEX"));
  EXPECT_TRUE(fails_at(one_case("--- property: a b\n"), 3, "'property' takes one word"));
  EXPECT_TRUE(fails_at(one_case("--- file_from_dump p foo\nx\n"), 3,
                       "file_from_dump takes strip, shebang and truncate=N, not 'foo'"));
  EXPECT_TRUE(fails_at(one_case("--- file_fill p: size=1 foo=1\n"), 3,
                       "file_fill takes size, fill, prefix and suffix, not 'foo'"));
  EXPECT_TRUE(fails_at(one_case("--- file_fill p: size=1 prefix=ab\n"), 3, "size smaller than prefix + suffix"));
  EXPECT_TRUE(fails_at(one_case("--- step s: edit p\n"), 3, "a step writes or removes a file, not 'edit'"));
  EXPECT_TRUE(fails_at(one_case("--- body eval\nreturn 1\n"), 3, "eval is for handlers and files"));
  EXPECT_TRUE(fails_at(one_case("--- status: 2xx\n"), 3, "bad number for status: '2xx'"));
  EXPECT_TRUE(fails_at(one_case("--- repeat: 0\n"), 3, "repeat"));
  EXPECT_TRUE(fails_at(one_case("--- nginx: yes\n"), 3, "usage: --- nginx: no (reason)"));
  EXPECT_TRUE(fails_at(one_case("--- nginx: no ()\n"), 3, "needs a reason"));
}

TEST_F(CaseParser, TextAfterAOneLineValue) {
  EXPECT_TRUE(fails_at(one_case("--- body: x\nmore\n"), 3, "unexpected text after it: 'more'"));
  EXPECT_TRUE(fails_at("=== c\n--- handler inline: x\nmore\n", 2, "unexpected text after it: 'more'"));
}

TEST_F(CaseParser, OnlyOneLineDefaultsBeforeTheFirstCase) {
  EXPECT_TRUE(fails_at("--- handler inline: x\n=== c\n--- handler inline: ngx.say(1)\n", 1,
                       "before the first case only one-line defaults are allowed"));
  EXPECT_TRUE(fails_at("--- module_path: lib\n=== c\n--- handler inline: ngx.say(1)\n", 1,
                       "not 'module_path'"));
  EXPECT_TRUE(fails_at("--- profile x: body: 1\n=== c\n--- handler inline: ngx.say(1)\n", 1, "not 'profile'"));
}

TEST_F(CaseParser, WholeCaseChecks) {
  EXPECT_TRUE(fails_at("=== c\n--- handler inline: ngx.say(1)\n--- requests: h1 zz\n", 1,
                       "case 'c': request 'zz' names no handler or step"));
  EXPECT_TRUE(fails_at(one_case("--- body[2]: x\n"), 3, "request [2] but only 1 requests are served"));
  EXPECT_TRUE(fails_at(one_case("--- status: 200 404\n"), 3, "status: give one value, or one per request (1)"));
  EXPECT_TRUE(fails_at("=== c\n--- handler inline a: x\n--- handler inline b: y\n--- status[1]: 200 404\n", 4,
                       "one value for one request"));
  EXPECT_TRUE(fails_at(one_case("--- grep_error_log: x\n"), 1, "grep_error_log and grep_error_log_out go together"));
  EXPECT_TRUE(fails_at("=== c\n--- handler inline a: x\n--- handler inline a: y\n", 3, "label 'a' is used twice"));
  EXPECT_TRUE(fails_at("=== c\n--- step a: remove p\n--- handler inline a: y\n", 3, "label 'a' is used twice"));
  EXPECT_TRUE(fails_at("=== a b\n--- handler inline: ngx.say(1)\n=== a-b\n--- handler inline: ngx.say(1)\n", 3,
                       "two cases are named 'a-b'"));
}

// ---- Every case carries the line of its own `===` title, whatever the case before it held.

TEST_F(CaseParser, EveryCaseCarriesTheLineOfItsTitle) {
  const std::vector<Case> cases = parse(
      "=== a\n"                             // 1
      "--- handler inline: ngx.say(1)\n"    // 2
      "--- body: x\n"                       // 3
      "--- status: 200\n"                   // 4
      "\n"                                  // 5
      "=== b\n"                             // 6
      "--- handler inline: ngx.say(1)\n"    // 7
      "=== c\n"                             // 8
      "--- handler inline: ngx.say(1)\n"    // 9
      "--- error_log\n"                     // 10
      "q\n"                                 // 11
      "r\n"                                 // 12
      "=== d\n"                             // 13
      "--- handler inline: ngx.say(1)\n");  // 14
  ASSERT_EQ(cases.size(), 4u);
  EXPECT_EQ(cases[0].line, 1);
  EXPECT_EQ(cases[1].line, 6);
  EXPECT_EQ(cases[2].line, 8);
  EXPECT_EQ(cases[3].line, 13);
  EXPECT_EQ(cases[3].handlers[0].line, 14);
}

TEST_F(CaseParser, ErrorsOfACaseAfterOneWithExpectationsNameItsTitle) {
  const std::string first = "=== a\n--- handler inline: ngx.say(1)\n--- body: x\n\n";  // lines 1-4
  EXPECT_TRUE(fails_at(first + "=== \n--- handler inline: ngx.say(1)\n", 5, "a case needs a name"));
  EXPECT_TRUE(fails_at(first + "=== A\n--- handler inline: ngx.say(1)\n", 5, "two cases are named 'A'"));
  EXPECT_TRUE(fails_at(first + "=== b\n--- handler inline: ngx.say(1)\n--- requests: h1 zz\n", 5,
                       "request 'zz' names no handler or step"));
}

TEST_F(CaseParser, ACaseWithoutAHandlerIsNamedAtItsTitle) {
  EXPECT_TRUE(fails_at("=== c\n--- body: x\n=== d\n--- handler inline: ngx.say(1)\n", 1, "case 'c' has no handler"));
  EXPECT_TRUE(fails_at("=== a\n--- handler inline: ngx.say(1)\n=== c\n--- body: x\n\n\n", 3,
                       "case 'c' has no handler"));
}

// ---- `--- <qualifier>: <section>` + block (README, "Engine and profile differences").

TEST_F(CaseParser, AQualifiedExpectationMayTakeABlock) {
  const std::vector<Case> cases = parse(one_case(
      "--- profile openresty: body\n"   // 3
      "line 1\n"
      "line 2\n"
      "\n"
      "--- code_cache off: body[1] chomp\n"  // 7
      "x\n"
      "--- engine lua51, profile classic sealed: error_log\n"  // 9
      "a\n"
      "b\n"));
  ASSERT_EQ(cases.size(), 1u);
  const std::vector<Expectation>& e = cases[0].expectations;
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].field, Field::body);
  EXPECT_EQ(e[0].value(), "line 1\nline 2\n");
  EXPECT_EQ(e[0].when.describe(), "profile openresty");
  EXPECT_EQ(e[0].line, 3);
  EXPECT_EQ(e[1].request, 1);
  EXPECT_EQ(e[1].value(), "x");
  EXPECT_EQ(e[1].when.describe(), "code_cache off");
  EXPECT_EQ(e[2].value(), "a");
  EXPECT_EQ(e[3].value(), "b");
  EXPECT_EQ(e[3].when.describe(), "engine lua51, profile classic sealed");
}

TEST_F(CaseParser, AQualifiedOneLineExpectationStillTakesNoBlock) {
  EXPECT_TRUE(fails_at(one_case("--- profile classic: body: x\nmore\n"), 3,
                       "'body' has a one-line value; unexpected text after it: 'more'"));
}

// ---- Words between a setting's name and its ':' are an error, not ignored.

TEST_F(CaseParser, WordsBeforeTheColonOfASettingAreAnError) {
  const std::vector<std::string> settings = {
      "engines: lua51", "profiles: classic", "labels: hostile", "label: hostile",
      "property: loader", "log_level: debug", "max_instructions: 100", "max_cpu_ms: 100",
      "max_memory_mb: 8", "nginx: no (why)", "module_path: lib", "conf_line: 41", "requests: h1",
      "repeat: 3", "grep_error_log: x", "description: x"};
  for (const std::string& setting : settings) {
    const std::string name = setting.substr(0, setting.find(':'));
    const std::string line = "--- " + name + " foo" + setting.substr(name.size()) + "\n";
    EXPECT_TRUE(fails_at(one_case(line), 3, "unexpected 'foo' after " + name)) << line;
  }
  // `code_cache` followed by words is a qualifier (`--- code_cache off: status: 404`).
  EXPECT_TRUE(fails_at(one_case("--- code_cache foo: on\n"), 3, "'foo' is not valid for code_cache"));
  EXPECT_TRUE(fails_at("--- engines foo: lua51\n=== c\n--- handler inline: ngx.say(1)\n", 1,
                       "unexpected 'foo' after engines"));
}

// ---- A request index is for expectations only; elsewhere it is an error, not ignored.

TEST_F(CaseParser, ARequestIndexOnAnythingButAnExpectationIsAnError) {
  EXPECT_TRUE(fails_at(one_case("--- engines[2]: lua51\n"), 3, "only expectations take a request index"));
  EXPECT_TRUE(fails_at(one_case("--- handler[2] inline b: x\n"), 3, "only expectations take a request index"));
  EXPECT_TRUE(fails_at(one_case("--- file[1] p: x\n"), 3, "only expectations take a request index"));
  EXPECT_TRUE(fails_at(one_case("--- step[1] s: remove p\n"), 3, "only expectations take a request index"));
  EXPECT_TRUE(fails_at("--- engines[1]: lua51\n=== c\n--- handler inline: ngx.say(1)\n", 1,
                       "only expectations take a request index"));
  EXPECT_TRUE(fails_at(one_case("--- profile[1] classic: body: y\n"), 3,
                       "a request index goes on the expectation: --- profile classic: body[1]"));
}

// ---- A section that takes no value or no block says so when given one.

TEST_F(CaseParser, ADirectoryTakesNoValueAndNoBlock) {
  EXPECT_TRUE(fails_at(one_case("--- directory a: x\n"), 3, "'directory' takes no value"));
  EXPECT_TRUE(fails_at(one_case("--- directory a:\n"), 3, "'directory' takes no value"));
  EXPECT_TRUE(fails_at(one_case("--- directory b\nsome text\n"), 3, "'directory' takes no block: 'some text'"));
  const std::vector<Case> cases = parse(one_case("--- directory c\n\n\n"));
  ASSERT_EQ(cases.size(), 1u);
  ASSERT_EQ(cases[0].files.size(), 1u);
  EXPECT_EQ(cases[0].files[0].kind, FileSpec::Kind::directory);
}

TEST_F(CaseParser, ARemoveStepTakesNoBlockAndNoModifiers) {
  EXPECT_TRUE(fails_at(one_case("--- step s: remove p\ngarbage\n"), 3, "a remove step takes no block: 'garbage'"));
  EXPECT_TRUE(fails_at(one_case("--- step s: remove p chomp\n"), 3, "unexpected 'chomp' in a remove step"));
}

// ---- `--- nginx: no (reason)` (README): the word `no`, then the reason in parentheses.

TEST_F(CaseParser, NginxTakesNoAndAReasonInParentheses) {
  EXPECT_TRUE(fails_at(one_case("--- nginx: nope\n"), 3, "usage: --- nginx: no (reason), not 'nope'"));
  EXPECT_TRUE(fails_at(one_case("--- nginx: no because\n"), 3, "the reason goes in parentheses"));
  EXPECT_TRUE(fails_at(one_case("--- nginx: no\n"), 3, "needs a reason"));
  const std::vector<Case> cases = parse(one_case("--- nginx: no (ngx_lua (0.10.23) crashes)\n"));
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].nginx_excluded, "ngx_lua (0.10.23) crashes");
}

// ---- Numbers are read whole and range-checked, never wrapped.

TEST_F(CaseParser, NumbersOutOfRangeAreAnError) {
  EXPECT_TRUE(fails_at(one_case("--- repeat: 4294967298\n"), 3, "repeat: 4294967298 is out of range (1..1000)"));
  EXPECT_TRUE(fails_at(one_case("--- max_cpu_ms: 4294967297\n"), 3, "max_cpu_ms: 4294967297 is out of range"));
  EXPECT_TRUE(fails_at(one_case("--- max_cpu_ms: 0\n"), 3, "max_cpu_ms: 0 is out of range"));
  EXPECT_TRUE(fails_at(one_case("--- max_memory_mb: 17592186044416\n"), 3,
                       "max_memory_mb: 17592186044416 is out of range"));
  EXPECT_TRUE(fails_at(one_case("--- max_instructions: 0\n"), 3, "max_instructions: 0 is out of range"));
  EXPECT_TRUE(fails_at(one_case("--- conf_line: 4294967337\n"), 3, "conf_line: 4294967337 is out of range"));
  EXPECT_TRUE(fails_at(one_case("--- max_instructions: 18446744073709551616\n"), 3, "too large"));
  EXPECT_TRUE(fails_at(one_case("--- file_fill p: size=99999999999999999999\n"), 3, "too large"));
}

TEST_F(CaseParser, NegativeOrPartlyNumericNumbersAreAnError) {
  EXPECT_TRUE(fails_at(one_case("--- max_instructions: -1\n"), 3, "bad number for max_instructions: '-1'"));
  EXPECT_TRUE(fails_at(one_case("--- repeat: +2\n"), 3, "bad number for repeat: '+2'"));
  EXPECT_TRUE(fails_at(one_case("--- file_from_dump p truncate=-1: return 1\n"), 3, "bad number for truncate: '-1'"));
  EXPECT_TRUE(fails_at(one_case("--- body[1x]: a\n"), 3, "bad request index in 'body[1x]'"));
  EXPECT_TRUE(fails_at(one_case("--- body[99999999999]: a\n"), 3, "bad request index in 'body[99999999999]'"));
}

TEST_F(CaseParser, AStatusIsADecimalInteger) {
  EXPECT_TRUE(fails_at(one_case("--- status: 0xc8\n"), 3, "bad number for status: '0xc8' (a decimal integer)"));
  EXPECT_TRUE(fails_at(one_case("--- status: 99999999999\n"), 3, "bad number for status: '99999999999'"));
  const std::vector<Case> cases = parse(one_case("--- status: -1\n"));
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].expectations[0].value(), "-1");
}

TEST_F(CaseParser, NumbersAtTheEdgesOfTheirRange) {
  const std::vector<Case> cases = parse(one_case(
      "--- repeat: 1000\n--- max_cpu_ms: 3600000\n--- max_memory_mb: 65536\n--- conf_line: 1000000\n"
      "--- max_instructions: 18446744073709551615\n"));
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].requests.size(), 1000u);
  EXPECT_EQ(cases[0].max_cpu_ms, 3600000u);
  EXPECT_EQ(cases[0].max_memory_mb, 65536u);
  EXPECT_EQ(cases[0].conf_line, 1000000);
  EXPECT_EQ(cases[0].max_instructions, 18446744073709551615u);
}

// ---- A setting of one value takes exactly one.

TEST_F(CaseParser, LogLevelTakesOneLevel) {
  EXPECT_TRUE(fails_at(one_case("--- log_level: warn debug\n"), 3, "'log_level' takes one word, not 'warn debug'"));
  EXPECT_TRUE(fails_at("--- log_level: warn debug\n=== c\n--- handler inline: ngx.say(1)\n", 1,
                       "'log_level' takes one word"));
  EXPECT_TRUE(fails_at(one_case("--- log_level: loud\n"), 3, "'loud' is not valid for log_level"));
}

// ---- A case has no comment lines: only blank lines may follow a one-line value, and a
// `#` line of a block is content (README, "Sections").

TEST_F(CaseParser, AHashLineAfterAOneLineValueIsAnError) {
  EXPECT_TRUE(fails_at(one_case("--- description: x\n# hash\n"), 3,
                       "'description' has a one-line value; unexpected text after it: '# hash'"));
  EXPECT_TRUE(fails_at(one_case("--- body: x\n# comment\n\n"), 3, "unexpected text after it: '# comment'"));
  EXPECT_TRUE(fails_at(one_case("--- profile classic: body: x\n# comment\n"), 3,
                       "unexpected text after it: '# comment'"));
}

TEST_F(CaseParser, ADescriptionSectionAddsAValueOrABlockToTheFreeText) {
  const std::vector<Case> cases = parse(
      "=== c\nFree text.\n--- handler inline: ngx.say(1)\n"
      "--- description: more text\n\n"
      "--- description\n# a block line\n  kept as written\n");
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].description, "Free text.\nmore text\n# a block line\n  kept as written\n");
}

// ---- Block modifiers are for blocks that use them: elsewhere they are an error, not ignored.

TEST_F(CaseParser, BlockModifiersOnAOneLineValueAreAnError) {
  EXPECT_TRUE(fails_at("=== c\n--- handler inline eval: return 'x'\n", 2,
                       "eval is a block modifier; 'handler inline' has a one-line value here"));
  EXPECT_TRUE(fails_at(one_case("--- body chomp: x\n"), 3,
                       "chomp is a block modifier; 'body' has a one-line value here"));
  EXPECT_TRUE(fails_at(one_case("--- file p escaped: a\\tb\n"), 3, "escaped is a block modifier"));
  EXPECT_TRUE(fails_at(one_case("--- profile classic: body chomp: x\n"), 3, "chomp is a block modifier"));
  // Sections that never take a block take no modifier at all.
  EXPECT_TRUE(fails_at(one_case("--- status chomp: 200\n"), 3, "unexpected 'chomp' after status"));
  EXPECT_TRUE(fails_at(one_case("--- body_like escaped: x\n"), 3, "unexpected 'escaped' after body_like"));
  EXPECT_TRUE(fails_at(one_case("--- error_log_like escaped\nx\n"), 3, "unexpected 'escaped' after error_log_like"));
  // A block of one value per line takes only `escaped`.
  EXPECT_TRUE(fails_at(one_case("--- error_log chomp\nx\n"), 3, "chomp does not apply to 'error_log'"));
  EXPECT_TRUE(fails_at(one_case("--- no_error_log eval\nreturn 'x'\n"), 3, "eval does not apply to 'no_error_log'"));
}

}  // namespace
}  // namespace codecache::conformance

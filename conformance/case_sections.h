// The sections of a case (conformance/README.md, "Sections"): every section name is one
// row of a table (case_sections.cc) that says which words the section takes, the shape
// of its value, the values allowed and what it fills; one routine applies the rows. The
// parser (case_file.cc) cuts a file into cases and sections and hands each section here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "case_file.h"
#include "case_syntax.h"

namespace codecache::conformance {

// A case while its sections fill it: `requests` (none given: every handler once) and
// `repeat` make Case::requests when the case ends.
struct Draft {
  Case c;
  std::optional<std::vector<std::string>> requests;
  int repeat = 1;
};

// Applies one section of a case: its header, and the lines below it up to the next
// `--- ` or `=== ` line; `at` is the header's line.
void apply_section(Draft& d, Header h, std::vector<std::string> lines, const Cursor& at);

// Applies a `--- ` line before the first case to the defaults of every case of the file.
void apply_default(Draft& defaults, Header h, const Cursor& at);

}  // namespace codecache::conformance

// Producing a case's bytes at test time: `eval` blocks and `file_from_dump`
// bytecode (both in a plain, unsandboxed VM of the engine this binary links), and
// writing a case's files, directories and step edits into a directory. Shared by
// the in-process runner (case_runner) and the real-nginx referee (nginx_referee).
#pragma once

#include <filesystem>
#include <string>

#include "case_file.h"

namespace codecache::conformance {

// The bytes of a block: literal text as is, an `eval` chunk's returned string.
std::string resolve_content(const Content& content);

// Writes (or removes) one file of the case under `dir`.
void materialize(const std::filesystem::path& dir, const FileSpec& file);

}  // namespace codecache::conformance

// The one list of what handler code sees of the standard libraries, per profile:
// every field of every library table a handler can reach, and how it reaches it.
// A field the list does not name is not there (default-deny); sandbox.cc builds
// the tables from this list and nothing else. README "Hostile code" states it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/plumbing/settings.h"
#include "core/engine/engine.h"

namespace codecache {

// How a field reaches handler code under one profile.
enum class Access : std::uint8_t {
  allow,    // the engine's own value, as ngx_lua offers it
  harness,  // the harness's own value (sandbox.cc; `ngx` and `print`: ngx_api.cc)
  refuse,   // a stub raising "<what> is disabled in the codecache sandbox"
  absent,   // nil
};

// Which engines have the field.
enum class Engines : std::uint8_t { all, lua51, luajit_both, luajit2 };

struct LibraryField {
  std::string_view library;  // "_G", "string", ..., "jit.opt", "package.preload"
  std::string_view name;
  Access classic;
  Access openresty;
  Access sealed;
  Engines engines = Engines::all;

  Access under(Profile profile) const;
  bool on(engine::Id engine) const;
  // What a refusal names: "os.exit", "dofile" (fields of _G unqualified).
  std::string what() const;
};

// Every field, grouped by library.
std::span<const LibraryField> library_allowlist();

// The library tables the list names, in the order sandbox.cc builds them ("_G"
// last, so that the libraries it holds exist by then).
std::span<const std::string_view> allowlisted_libraries();

}  // namespace codecache

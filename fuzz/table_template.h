// Evidence for one documented LuaJIT round-trip difference. A table constructor's
// constant part is compiled into a template table (a KTAB constant, copied by TDUP
// at run time); string.dump writes the template's entries and lua_load rebuilds it
// with sizes of its own (lj_bcwrite.c bcwrite_ktab, lj_bcread.c bcread_ktab), so
// the rebuilt template can have another border (`#{1, nil, 3}` is 1 from source
// and 3 from the dump: any border of a table with holes is valid) or another key
// order under pairs (unspecified). Pinned by the conformance case
// bytecode/a_bytecode_round_trip_can_move_the_border_of_a_table_with_holes and by
// tests/unit/table_template_test.cc.
#pragma once

#include <string>
#include <string_view>

namespace codecache::fuzz {

// Compiles `source` (as a main chunk named `chunkname`) and loads `dump` in a plain
// VM of this engine, walks both function trees' template tables in constant order,
// and describes the first template whose border or pairs order differs, e.g.
// "template 1: border 1 from source, 3 from the dump". Empty when none differs, when
// either does not load, and always on PUC Lua 5.1 (no templates: its constructors
// are NEWTABLE and SETLIST, carried by the dump as they are).
std::string template_moved_by_roundtrip(std::string_view source, std::string_view dump,
                                        std::string_view chunkname);

}  // namespace codecache::fuzz

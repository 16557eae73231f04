// What the `differential` target normalises away when it compares one handler's
// outcome on PUC Lua 5.1, stock LuaJIT and OpenResty's LuaJIT: the documented
// engine differences, and nothing else. Pinned rule by rule, with how narrow each
// one is, by tests/unit/engine_difference_normaliser_test.cc.
#pragma once

#include <string>
#include <string_view>

namespace codecache::fuzz {

// "<status>[ aborted]\n<body>\n--log--\n<log>", then:
//   - tracebacks: "\nstack traceback:" and its frame lines (lines starting with a
//     tab or "coroutine ") are removed; LuaJIT prints no current line for some
//     frames and names frames differently ("in function <...>" vs "in main chunk");
//   - a library function's argument error keeps "bad argument #N to '?'" and
//     " (...)" for its detail: PUC Lua's luaL_argerror texts ("no value",
//     "number expected, got no value") differ from LuaJIT's lj_err_arg texts, and
//     the function's name comes from the call site (LuaJIT says '?' for a tail call);
//   - the name of an error's operand: "attempt to perform arithmetic on local 'b'
//     (a nil value)" on LuaJIT, "... on a nil value" on PUC Lua, whose debug info
//     names only what sits in a variable's own register (ldebug.c, getobjname;
//     LuaJIT: lj_debug_slotname): "<kind> 'x' (a nil value)" reads "a nil value"
//     for the kinds local, upvalue, global, field, method and constant
//     (debug_info_normaliser.h, erase_variable_names). It can hide only which
//     variable an error names;
//   - an error raised through coroutine.wrap: PUC Lua's auxwrap prefixes the
//     position again ("<chunk>:9: <chunk>:9: msg"), LuaJIT passes it unchanged;
//     the repeated "content_by_lua(nginx.conf:40):<n>: " goes;
//   - the sign of zero: math.min and math.max of 0 and -0 return the first on PUC
//     Lua (it compares with <) and the second on LuaJIT (minsd/maxsd), and PUC Lua
//     5.1 folds constant expressions whose value is -0 into a constant slot shared
//     with 0 (lcode.c; the generator never folds one, differential_gen.cc, but a
//     handler from elsewhere may), while LuaJIT never folds to -0 (lj_parse.c).
//     With the rule off, a replay of the kept corpus fails on `math.min(0, -0)`
//     within a hundred inputs. So every zero numeral ("-0", "-0.00",
//     "-0.000e+00", also right after a letter or digit, where a concatenation
//     puts it) loses its sign, in body and log;
//   - NaN: PUC Lua formats numbers with printf("%.14g") and prints the sign of a
//     NaN ("-nan" for 0/0 on x86); LuaJIT's own formatter always prints "nan":
//     every "-nan" reads "nan";
//   - a tie at the last of 14 significant digits: LuaJIT's own formatter rounds it
//     away from zero, PUC Lua's printf to even (tostring(6.25^5 * -98) is
//     "-934600.83007813" on LuaJIT, "-934600.83007812" on Lua 5.1); a numeral of 14
//     significant digits whose last digit is odd and that lies half a unit above an
//     exact double reads one unit lower. It can hide only a difference between
//     two numerals on either side of such a tie.;
//   - string.format("%q") of a control character (0-31, 127): LuaJIT writes a
//     decimal escape ("\2", "\002" before a digit, "\13", "\0"), PUC Lua 5.1 the
//     raw byte, or "\r" and "\000": each such escape reads as the raw byte (an
//     escaped backslash is skipped whole). It can hide only a difference between
//     a control character and its escape.
std::string normalise_engine_differences(int status, bool aborted, std::string_view body,
                                         std::string_view log);

// The rules above, each one bit of a mask, so that a target can ask which rules a
// given agreement needed (differential.cc counts them in its "#check-rate" line).
enum class NormaliserRule : unsigned {
  traceback, argument_error, wrap_position, zero_sign, nan_sign, digit_tie, quoted_control, variable_name, count
};
constexpr unsigned kAllNormaliserRules = (1u << static_cast<unsigned>(NormaliserRule::count)) - 1;
constexpr unsigned rule_bit(NormaliserRule rule) { return 1u << static_cast<unsigned>(rule); }
std::string_view rule_name(NormaliserRule rule);

// The same with only the rules whose bits are set in `rules`.
std::string normalise_engine_differences(int status, bool aborted, std::string_view body,
                                         std::string_view log, unsigned rules);

}  // namespace codecache::fuzz

// P3 wrapper transparency: for handlers without a top-level `...` and without
// `return`, the factory loader (classic: "return function() " .. src .. "\nend")
// and the direct loader (openresty, with the code cache off so that nothing is
// shared between requests) give the same status, body and aborted flag.
//
// Excluded besides `...` and `return`: writes through getmetatable(_G).__index.
// They are not a loader difference but a profile one: classic's T has the
// metatable {__index = main _G} (ngx_http_lua_new_thread), openresty's _G has
// only the write guard's {__newindex = guard}
// (ngx_http_lua_inject_global_write_guard), so the generated guard writes in
// one and skips in the other. Likewise `debug.getfenv(print).x = v`: the C
// function's env is the main _G, which is the handler's globals in openresty but
// only what classic's T falls back to (so rawget(_G, "x") differs).
// Log lines are not compared: the write guard logs in openresty only
// (write_guard.case), and tracebacks name "main chunk" vs "function <...:1>"
// (loader_table.case, "traceback frame of the chunk").
#include "property/prop_support.h"

namespace codecache::prop {
namespace {

CC_PROP(P3WrapperTransparency, FactoryEqualsDirect, ()) {
  const GeneratedHandler h =
      *gen_handler(GenOptions{kVararg | kReturn | kMetatableWrite | kCFunctionEnvWrite});
  count_sequence();
  const Outcome factory = run_alone(h, 0, settings_for(Profile::classic, true));
  const Outcome direct = run_alone(h, 0, settings_for(Profile::openresty, false));
  RC_LOG() << "factory: " << rc::toString(observe(factory))
           << "\ndirect:  " << rc::toString(observe(direct)) << "\n";
  RC_ASSERT(factory.status == direct.status);
  RC_ASSERT(factory.body == direct.body);
  RC_ASSERT(factory.aborted == direct.aborted);
}

}  // namespace
}  // namespace codecache::prop

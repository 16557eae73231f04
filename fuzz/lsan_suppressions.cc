// LeakSanitizer's suppressions, compiled into every fuzz executable so that the
// campaign, OSS-Fuzz and the replays read one list (LeakSanitizer asks the binary
// through this hook; without LeakSanitizer nothing calls it).
//
// lj_ir_growtop, lj_ir_growbot: LuaJIT reaches a VM's JIT IR buffer only through a
// pointer biased below the block (lj_ir.c: irbuf = base - irbotlim), which
// LeakSanitizer does not count as a reference. So the buffer of a VM still open when
// the process exits reads as leaked, though lua_close would free it. The harness
// leaves such VMs open on purpose: one abandoned after a hard deadline is never
// touched again (core/model/vm.cc, Vm::abandon). Every other allocation of such a VM
// is reached through it and stays checked.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:lj_ir_growtop\n"
         "leak:lj_ir_growbot\n";
}

// AddressSanitizer's defaults for the conformance runner (sanitizer builds only):
// the hostile_memory cases bound the runner's own peak RSS, and ASan's quarantine
// keeps up to 256 MB of freed memory resident by default, which those bounds would
// count. A 16 MB quarantine still catches a use of a recently freed block.
// ASAN_OPTIONS in the environment still overrides this.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
extern "C" const char* __asan_default_options() { return "quarantine_size_mb=16"; }
#endif
#endif

// Prints what the fuzz targets' generators decode from each input file given on the
// command line: the differential's program and the handler grammar's handler.
// check_same_decoding.sh builds it with GCC and with Clang and compares the two
// outputs over every kept input, since a kept input is replayed by the GCC build
// (ctest's replay) and was found by the Clang build (libFuzzer): it must decode to
// the same program in both.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "differential_gen.h"
#include "handler_grammar.h"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "generator_dump: cannot read %s\n", argv[i]);
      return 2;
    }
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    std::printf("== %s\n-- differential --\n%s\n-- handler --\n%s\n", argv[i],
                codecache::fuzz::differential_program(data, bytes.size()).c_str(),
                codecache::fuzz::generated_handler(data, bytes.size()).c_str());
  }
  return 0;
}

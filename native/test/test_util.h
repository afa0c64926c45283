// Helpers shared by the native unit tests: special values, a seeded generator, and a loop that runs
// a test body once per kernel ISA this host supports (forcing the dispatch to each in turn).
#pragma once
#include <cstdint>
#include <cstdio>
#include <limits>

#include "check.h"
#include "tapegrad/cpu.h"

namespace test_util {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// A 64-bit LCG: reproducible inputs without <random>'s implementation-defined distributions.
struct Lcg {
  uint64_t s;
  double next(double lo, double hi) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + (hi - lo) * static_cast<double>(s >> 11) * 0x1p-53;
  }
};

// Runs f(isa) with the kernels forced to each ISA up to the hardware's; the others are skipped with
// a message, never silently. Restores the hardware level afterwards.
template <typename F>
void for_each_isa(F f) {
  using tapegrad::Isa;
  const Isa hw = tapegrad::hardware_isa();
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
    if (static_cast<int>(isa) > static_cast<int>(hw)) {
      std::printf("  skip %s: this host lacks it\n", tapegrad::isa_name(isa));
      continue;
    }
    CHECK(tapegrad::force_isa(isa) == isa);
    f(isa);
  }
  tapegrad::force_isa(hw);
}

}  // namespace test_util

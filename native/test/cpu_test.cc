#include "tapegrad/cpu.h"
#include "check.h"

using namespace tapegrad;

TEST(force_isa_only_lowers) {
  const Isa hw = hardware_isa();
  CHECK(force_isa(Isa::Scalar) == Isa::Scalar);
  CHECK(active_isa() == Isa::Scalar);
  CHECK(force_isa(Isa::Avx512) == hw);  // never above the hardware
  CHECK(active_isa() == hw);
}

TEST(isa_names) {
  CHECK(std::string(isa_name(Isa::Scalar)) == "scalar");
  CHECK(std::string(isa_name(Isa::Avx2)) == "avx2");
  CHECK(std::string(isa_name(Isa::Avx512)) == "avx512");
}

TEST_MAIN()

// CPU feature detection, once, capped by TAPEGRAD_ISA.
#include "tapegrad/cpu.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace tapegrad {
namespace {

Isa detect_hardware() noexcept {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  // GCC's checks include XCR0, so the OS must also save the wider register state.
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma"))
    return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
#endif
  return Isa::Scalar;
}

Isa from_env(Isa hw) noexcept {
  const char* env = std::getenv("TAPEGRAD_ISA");
  if (env == nullptr) return hw;
  Isa wanted = hw;
  if (std::strcmp(env, "scalar") == 0) wanted = Isa::Scalar;
  else if (std::strcmp(env, "avx2") == 0) wanted = Isa::Avx2;
  else if (std::strcmp(env, "avx512") == 0) wanted = Isa::Avx512;
  return static_cast<int>(wanted) < static_cast<int>(hw) ? wanted : hw;
}

std::atomic<int>& current() noexcept {
  static std::atomic<int> level{static_cast<int>(from_env(hardware_isa()))};
  return level;
}

}  // namespace

Isa hardware_isa() noexcept {
  static const Isa hw = detect_hardware();
  return hw;
}

Isa active_isa() noexcept { return static_cast<Isa>(current().load(std::memory_order_relaxed)); }

Isa force_isa(Isa isa) noexcept {
  const Isa hw = hardware_isa();
  const Isa level = static_cast<int>(isa) < static_cast<int>(hw) ? isa : hw;
  current().store(static_cast<int>(level), std::memory_order_relaxed);
  return level;
}

const char* isa_name(Isa isa) noexcept {
  switch (isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    case Isa::Scalar: break;
  }
  return "scalar";
}

}  // namespace tapegrad

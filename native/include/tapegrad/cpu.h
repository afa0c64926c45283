// CPU feature detection and the instruction-set level the kernels dispatch on.
#pragma once

namespace tapegrad {

enum class Isa : int { Scalar = 0, Avx2 = 1, Avx512 = 2 };

// The best ISA this CPU (and OS) supports, capped by the TAPEGRAD_ISA environment variable
// (scalar | avx2 | avx512; it can only lower the level). Detected once, then cached.
Isa active_isa() noexcept;

// Lowers (never raises above the hardware) the ISA used from now on; for tests and benchmarks.
// Returns the level actually in force afterwards.
Isa force_isa(Isa isa) noexcept;

// The hardware's best ISA, ignoring TAPEGRAD_ISA and force_isa.
Isa hardware_isa() noexcept;

const char* isa_name(Isa isa) noexcept;

}  // namespace tapegrad

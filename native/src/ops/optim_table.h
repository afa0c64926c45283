// The per-ISA loops of the fused optimizer updates (optim_loops.h, compiled once per instruction set:
// optim_scalar.cc, optim_avx2.cc, optim_avx512.cc), as a table of plain function pointers. optim.cc
// splits a parameter over the pool and picks the table of active_isa().
// Plain C-style header: it is included by the ISA translation units (docs/NATIVE.md, one instruction set per TU).
#pragma once
#include <cstdint>

#include "tapegrad/optim.h"

namespace tapegrad {
namespace ops {

// Each updates elements [lo, hi) of one parameter (the contract of tapegrad/optim.h).
struct OptimTable {
  void (*sgd_f32)(int64_t lo, int64_t hi, float* p, const float* g, float* buf, const SgdParams& h);
  void (*sgd_f64)(int64_t lo, int64_t hi, double* p, const double* g, double* buf, const SgdParams& h);
  void (*adam_f32)(int64_t lo, int64_t hi, float* p, const float* g, float* m, float* v, float* vmax,
                   const AdamParams& h);
  void (*adam_f64)(int64_t lo, int64_t hi, double* p, const double* g, double* m, double* v, double* vmax,
                   const AdamParams& h);
};

const OptimTable* optim_table_scalar() noexcept;
#if defined(__x86_64__) || defined(_M_X64)
const OptimTable* optim_table_avx2() noexcept;
const OptimTable* optim_table_avx512() noexcept;
#endif

}  // namespace ops
}  // namespace tapegrad

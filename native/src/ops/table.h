// The per-ISA inner kernels of the elementwise and reduction families, as a table of plain function
// pointers. kernels.h is compiled three times (kernels_scalar.cc, kernels_avx2.cc, kernels_avx512.cc);
// elementwise.cc / reduce.cc do the shape work, the threading and the dispatch on active_isa().
// Plain C-style header: it is included by the ISA translation units (see docs/NATIVE.md, one instruction set per TU).
#pragma once
#include <cstdint>

namespace tapegrad {
namespace ops {

// Rows handed to reduce_rows are at most this wide (its accumulators live on the stack).
constexpr int64_t kRowChunk = 1024;

template <typename T>
struct KernelsOf {
  // out[i] = f(x[i]) for i < n (contiguous); out == x allowed.
  void (*unary)(int op, const T* x, T* out, int64_t n, double p0, double p1);
  // out[i] = f(a[i·sa], b[i·sb]) for i < n; out contiguous; out == a (sa = 1) or out == b (sb = 1) allowed.
  void (*binary_row)(int op, const T* a, int64_t sa, const T* b, int64_t sb, T* out, int64_t n);
  // The reduction of x[0..n) (n >= 1) as a double: sum, max, min or prod (Mean uses sum).
  double (*reduce_contig)(int op, const T* x, int64_t n);
  // out[r] = reduce_contig(x + r·n, n) for r < rows: many short contiguous runs in one call.
  void (*reduce_many)(int op, const T* x, int64_t rows, int64_t n, double* out);
  // acc[j] = acc[j] ⊕ x[i·row_stride + j] for i < r, j < k (k <= kRowChunk); ⊕ = +, max, min or ×.
  void (*reduce_rows)(int op, const T* x, int64_t r, int64_t k, int64_t row_stride, double* acc);
};

struct KernelTable {
  KernelsOf<float> f32;
  KernelsOf<double> f64;
};

const KernelTable* kernel_table_scalar() noexcept;
#if defined(__x86_64__) || defined(_M_X64)
const KernelTable* kernel_table_avx2() noexcept;
const KernelTable* kernel_table_avx512() noexcept;
#endif

// The table for active_isa() (looked up per call, so force_isa takes effect at once).
const KernelTable* kernel_table() noexcept;

}  // namespace ops
}  // namespace tapegrad

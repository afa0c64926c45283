// General matrix multiply, BLAS semantics with explicit strides (BLIS style).
//
//   C ← α·A·B + β·C      A is m×k, B is k×n, C is m×n
//
// Element (i, j) of X lives at x[i*rsx + j*csx]: a row-major matrix has (rs, cs) = (ld, 1), its
// transpose (ld... swapped) is expressed by swapping the strides, so op(A) = Aᵀ costs nothing.
// Preconditions: m, n, k >= 0; all addressed elements lie inside the caller's buffers;
// C does not alias A or B; C's strides address distinct elements (no rs = cs = 0).
// If β == 0, C is not read (NaN/Inf in C do not propagate). If k == 0 or α == 0, C ← β·C.
#pragma once
#include <cstdint>

namespace tapegrad {

void gemm_f32(int64_t m, int64_t n, int64_t k, float alpha,
              const float* a, int64_t rsa, int64_t csa,
              const float* b, int64_t rsb, int64_t csb, float beta,
              float* c, int64_t rsc, int64_t csc) noexcept;

void gemm_f64(int64_t m, int64_t n, int64_t k, double alpha,
              const double* a, int64_t rsa, int64_t csa,
              const double* b, int64_t rsb, int64_t csb, double beta,
              double* c, int64_t rsc, int64_t csc) noexcept;

}  // namespace tapegrad

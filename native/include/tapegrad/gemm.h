// General matrix multiply, BLAS semantics with explicit strides (BLIS style).
//
//   C ← α·A·B + β·C      A is m×k, B is k×n, C is m×n
//
// Element (i, j) of X lives at x[i*rsx + j*csx]: a row-major matrix has (rs, cs) = (ld, 1), its
// transpose (ld... swapped) is expressed by swapping the strides, so op(A) = Aᵀ costs nothing.
// Preconditions: m, n, k >= 0; all addressed elements lie inside the caller's buffers;
// C does not alias A or B; C's strides address distinct elements (no rs = cs = 0).
// If β == 0, C is not read (NaN/Inf in C do not propagate). If k == 0 or α == 0, C ← β·C.
//
// Implementation (native/src/gemm/): BLIS loops 5..1 over packed, cache-sized blocks and a
// register-blocked micro-kernel chosen by active_isa() on every call (so force_isa() takes effect at
// once). Runs on up to get_num_threads() threads (threads.h) when m·n·k is large enough; the k loop is
// never split, so the result does not depend on the thread count. Packing buffers are per thread and
// only grow, so steady-state calls do not allocate.
#pragma once
#include <cstdint>

namespace tapegrad {

void gemm_f32(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t rsa, int64_t csa, const float* b,
              int64_t rsb, int64_t csb, float beta, float* c, int64_t rsc, int64_t csc) noexcept;

void gemm_f64(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t rsa, int64_t csa, const double* b,
              int64_t rsb, int64_t csb, double beta, double* c, int64_t rsc, int64_t csc) noexcept;

// The same with a bias epilogue (a Linear layer's y = x·Wᵀ + b in one pass):
//   C(i, j) ← α·(A·B)(i, j) + β·C(i, j) + bias[j]
// bias has n elements (unit stride) and may be null (then this is plain gemm). It must not alias C.
void gemm_bias_f32(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t rsa, int64_t csa,
                   const float* b, int64_t rsb, int64_t csb, float beta, float* c, int64_t rsc, int64_t csc,
                   const float* bias) noexcept;

void gemm_bias_f64(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t rsa, int64_t csa,
                   const double* b, int64_t rsb, int64_t csb, double beta, double* c, int64_t rsc, int64_t csc,
                   const double* bias) noexcept;

// What a fused product does to each element of C once it holds its final value (after β·C and the bias):
//   kRelu:          C ← relu(C)              (NaN stays NaN, as the relu kernel)
//   kMaskPositive:  C ← C · (mask > 0 ? 1 : 0)  (relu's backward: the gradient times reluMask(y))
// The mask has C's shape, at mask[i*mrs + j*mcs], and must not alias C.
enum class GemmEpilogue : int { kNone = 0, kRelu = 1, kMaskPositive = 2 };

void gemm_fused_f32(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t rsa, int64_t csa,
                    const float* b, int64_t rsb, int64_t csb, float beta, float* c, int64_t rsc, int64_t csc,
                    const float* bias, GemmEpilogue epilogue, const float* mask, int64_t mrs, int64_t mcs) noexcept;

void gemm_fused_f64(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t rsa, int64_t csa,
                    const double* b, int64_t rsb, int64_t csb, double beta, double* c, int64_t rsc, int64_t csc,
                    const double* bias, GemmEpilogue epilogue, const double* mask, int64_t mrs, int64_t mcs) noexcept;

// batch products sharing shape and strides: product t is gemm on a + a_offsets[t], b + b_offsets[t],
// c + c_offsets[t] (element offsets; repeated A/B offsets express broadcast batch dims). Small
// products run in parallel over the batch, large ones one after the other, each multithreaded. If the
// C matrices of two products overlap in memory, the products run in order (as a loop would), never
// concurrently.
void gemm_batched_f32(int64_t batch, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                      const int64_t* a_offsets, int64_t rsa, int64_t csa, const float* b, const int64_t* b_offsets,
                      int64_t rsb, int64_t csb, float beta, float* c, const int64_t* c_offsets, int64_t rsc,
                      int64_t csc) noexcept;

void gemm_batched_f64(int64_t batch, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
                      const int64_t* a_offsets, int64_t rsa, int64_t csa, const double* b, const int64_t* b_offsets,
                      int64_t rsb, int64_t csb, double beta, double* c, const int64_t* c_offsets, int64_t rsc,
                      int64_t csc) noexcept;

// The micro-kernel family the next call would use ("avx512", "avx2" or "scalar") and its tile.
const char* gemm_kernel_name() noexcept;

}  // namespace tapegrad

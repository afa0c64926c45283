// Fused, numerically stable softmax and log-softmax along one dim, forward and backward.
//
// Layout: x is contiguous row-major and viewed as (outer, n, inner): the softmax dim has n entries at
// element stride `inner`, so any dim of any tensor is covered without a transposed copy. For every
// (o, j) with o < outer, j < inner, writing x_i = x[(o·n + i)·inner + j]:
//   m = max_i x_i                       (shifting by m keeps every exp(x_i − m) in (0, 1]: no overflow)
//   s = Σ_i exp(x_i − m)                (s ≥ 1, so log(s) is finite)
//   softmax:     y_i = exp(x_i − m) / s
//   logSoftmax:  y_i = x_i − m − log(s)
// A row holding +inf or NaN gives NaN throughout that row (as PyTorch); −inf entries give y_i = 0
// (log: −inf). Sums are accumulated in double; float32 results are rounded once at the end.
//
// Backward, with y the forward *output* and g the gradient of y:
//   softmax:     dx_i = y_i · (g_i − Σ_k g_k·y_k)
//   logSoftmax:  dx_i = g_i − exp(y_i) · Σ_k g_k
//
// Preconditions: outer, n, inner ≥ 0; every array holds outer·n·inner elements; the output (y or dx)
// overlaps no input. Work is split over the thread pool for large tensors.
#pragma once
#include <cstdint>

namespace tapegrad {

void softmax_f32(const float* x, float* y, int64_t outer, int64_t n, int64_t inner, bool log) noexcept;
void softmax_f64(const double* x, double* y, int64_t outer, int64_t n, int64_t inner, bool log) noexcept;

void softmax_backward_f32(const float* y, const float* g, float* dx, int64_t outer, int64_t n, int64_t inner,
                          bool log) noexcept;
void softmax_backward_f64(const double* y, const double* g, double* dx, int64_t outer, int64_t n, int64_t inner,
                          bool log) noexcept;

}  // namespace tapegrad

// Fused softmax cross-entropy (log-softmax + negative log-likelihood), forward and backward.
//
// Rows i < m of the logits z (m × c, row-major, contiguous). With lse_i = log Σ_c exp z_ic (computed
// as mx + log Σ exp(z − mx), mx the row max, so no exp overflows) every supported target is
//   loss_i = Σ_c q_ic · (lse_i − z_ic)          (= −Σ_c q_ic · log softmax(z)_ic)
// with coefficients (w = weight, or 1 when weight is null; ε = label_smoothing):
//   class indices (target_index != null, target_prob == null):
//       q_ic = (1−ε)·w[y_i]·[c = y_i] + (ε/c)·w[c],   and q_i· = 0 when y_i == ignore_index
//   probabilities (target_prob != null, m × c):
//       q_ic = w[c]·((1−ε)·t_ic + ε/c)
// Backward, for the gradient r_i = r[i·r_stride] reaching loss_i (r_stride 0 broadcasts r[0]):
//   dz_ic = r_i · (Q_i · exp(z_ic − lse_i) − q_ic),   Q_i = Σ_c q_ic   (ignored rows: 0)
// Sums are accumulated in double; float32 results are rounded once. lse is always kept in double: in
// float32 its rounding (ulp(1e4) ≈ 1e-3) would spoil exp(z − lse) for large-magnitude logits.
//
// Preconditions: m, c ≥ 0; z, target_prob and dz hold m·c elements; loss, lse, target_index hold m;
// weight holds c (or is null); r holds 1 (r_stride 0) or m (r_stride 1) elements; every
// target_index[i] is in [0, c) or equals ignore_index (the caller checks: no bounds checks here).
// Outputs overlap no input. Rows are split over the thread pool for large inputs.
#pragma once
#include <cstdint>

namespace tapegrad {

void cross_entropy_forward_f32(int64_t m, int64_t c, const float* z, const int32_t* target_index,
                               const float* target_prob, const float* weight, int64_t ignore_index,
                               double label_smoothing, float* loss, double* lse) noexcept;
void cross_entropy_forward_f64(int64_t m, int64_t c, const double* z, const int32_t* target_index,
                               const double* target_prob, const double* weight, int64_t ignore_index,
                               double label_smoothing, double* loss, double* lse) noexcept;

void cross_entropy_backward_f32(int64_t m, int64_t c, const float* z, const double* lse, const int32_t* target_index,
                                const float* target_prob, const float* weight, int64_t ignore_index,
                                double label_smoothing, const float* r, int64_t r_stride, float* dz) noexcept;
void cross_entropy_backward_f64(int64_t m, int64_t c, const double* z, const double* lse, const int32_t* target_index,
                                const double* target_prob, const double* weight, int64_t ignore_index,
                                double label_smoothing, const double* r, int64_t r_stride, double* dz) noexcept;

// The reduction of the per-row losses: out[0] = Σ_i loss_i (mean: divided by the divisor) and
// inverse[0] = 1 / divisor, the factor mean's backward applies to the incoming gradient. The divisor is
// Σ_{i: y_i ≠ ignore_index} w[y_i] (1 per row without weights) for class indices, m for probabilities
// (target_index null). Sums in double, in row order; each result rounded once to T.
// Preconditions: loss holds m; target_index m (or null); weight c (or null), and then every index is in
// [0, c) or equals ignore_index (the caller checks).
void cross_entropy_reduce_f32(int64_t m, const float* loss, const int32_t* target_index, const float* weight,
                              int64_t ignore_index, bool mean, float* out, float* inverse) noexcept;
void cross_entropy_reduce_f64(int64_t m, const double* loss, const int32_t* target_index, const double* weight,
                              int64_t ignore_index, bool mean, double* out, double* inverse) noexcept;

}  // namespace tapegrad

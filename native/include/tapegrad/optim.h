// Fused optimizer updates: one pass over the parameter, its gradient and the state buffers, in place.
// Element-wise for i < n (all arrays hold n elements of the same type; none overlaps another, except
// that grad may be read-only shared with nothing written). Arithmetic in the parameter's type, as
// torch's float32/float64 kernels.
//
// SGD (torch.optim.SGD):
//   d = (maximize ? −g : g) + wd·p
//   if μ ≠ 0:  buf = first ? d : μ·buf + (1−τ)·d;   d = nesterov ? d + μ·buf : buf
//   p ← p − lr·d
//   buf is not accessed (may be null) when μ = 0.
//
// Adam / AdamW (torch.optim.Adam / AdamW; step ≥ 1 is the step count after increment):
//   g = maximize ? −grad : grad
//   decoupled (AdamW): p ← p·(1 − lr·wd)          otherwise: g ← g + wd·p
//   m ← m + (1−β1)·(g − m);   v ← β2·v + (1−β2)·g²
//   v̂ = amsgrad ? (vmax ← max(vmax, v)) : v        (vmax not accessed, may be null, without amsgrad)
//   p ← p − (lr / (1−β1^step)) · m / (√v̂ / √(1−β2^step) + eps)
#pragma once
#include <cstdint>

namespace tapegrad {

struct SgdParams {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize, first;
};

struct AdamParams {
  double lr, beta1, beta2, eps, weight_decay;
  bool decoupled, amsgrad, maximize;
  int64_t step;
};

void sgd_step_f32(int64_t n, float* p, const float* g, float* buf, const SgdParams& h) noexcept;
void sgd_step_f64(int64_t n, double* p, const double* g, double* buf, const SgdParams& h) noexcept;

void adam_step_f32(int64_t n, float* p, const float* g, float* m, float* v, float* vmax, const AdamParams& h) noexcept;
void adam_step_f64(int64_t n, double* p, const double* g, double* m, double* v, double* vmax,
                   const AdamParams& h) noexcept;

}  // namespace tapegrad

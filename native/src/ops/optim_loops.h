// The loops of the fused optimizer updates. This file is #included by exactly one translation unit per
// instruction set (optim_scalar.cc, optim_avx2.cc, optim_avx512.cc), each compiled with its own -m flags;
// everything here has internal linkage (the ODR rule of kernels.h: no inline function or template shared
// between TUs built for different ISAs), and libm is reached only through __builtin_*.
//
// The updates are plain multiplies and adds per element, with the options hoisted into template flags
// so that the loops are branch-free and vectorise. CMake compiles these files with -ffp-contract=off:
// without fused multiply-adds every ISA computes the same roundings in the same order, so a training run
// gives the same bits on every x86-64 machine; the wider vectors are what the AVX builds are for.
#pragma once
#include <cstdint>

#include "ops/optim_table.h"
#include "ops/sqrt_loop.h"
#include "tapegrad/optim.h"
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>  // intrinsics are gnu_inline/always_inline: never emitted out of line, no ODR risk
#endif

namespace tapegrad {
namespace ops {
namespace {

template <typename T, bool kMomentum, bool kNesterov, bool kFirst>
void sgd_loop(int64_t lo, int64_t hi, T* __restrict p, const T* __restrict g, T* __restrict buf, T lr, T mu,
              T one_minus_tau, T wd, T sign) {
  for (int64_t i = lo; i < hi; ++i) {
    T d = sign * g[i] + wd * p[i];
    if (kMomentum) {
      const T b = kFirst ? d : mu * buf[i] + one_minus_tau * d;
      buf[i] = b;
      d = kNesterov ? d + mu * b : b;
    }
    p[i] -= lr * d;
  }
}

template <typename T>
void sgd_range(int64_t lo, int64_t hi, T* p, const T* g, T* buf, const SgdParams& h) {
  const T lr = static_cast<T>(h.lr), mu = static_cast<T>(h.momentum), omt = static_cast<T>(1 - h.dampening);
  const T wd = static_cast<T>(h.weight_decay), sign = h.maximize ? T(-1) : T(1);
  if (h.momentum == 0) sgd_loop<T, false, false, false>(lo, hi, p, g, buf, lr, mu, omt, wd, sign);
  else if (h.first) {
    if (h.nesterov) sgd_loop<T, true, true, true>(lo, hi, p, g, buf, lr, mu, omt, wd, sign);
    else sgd_loop<T, true, false, true>(lo, hi, p, g, buf, lr, mu, omt, wd, sign);
  } else if (h.nesterov) sgd_loop<T, true, true, false>(lo, hi, p, g, buf, lr, mu, omt, wd, sign);
  else sgd_loop<T, true, false, false>(lo, hi, p, g, buf, lr, mu, omt, wd, sign);
}

template <typename T, bool kDecoupled, bool kAmsgrad>
void adam_loop(int64_t lo, int64_t hi, T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
               T* __restrict vmax, T sign, T wd_grad, T decay, T omb1, T b2, T omb2, T step_size, T inv_bc2_sqrt,
               T eps) {
  // Blocks of kBlock elements in three passes (moments; square roots; parameter), each a simple loop
  // the compiler vectorises; the block's denominators stay in L1.
  constexpr int64_t kBlock = 512;
  T den[kBlock];
  for (int64_t b = lo; b < hi; b += kBlock) {
    const int64_t n = hi - b < kBlock ? hi - b : kBlock;
    T* __restrict pb = p + b;
    const T* __restrict gb = g + b;
    T* __restrict mb = m + b;
    T* __restrict vb = v + b;
    for (int64_t i = 0; i < n; ++i) {
      T gi = sign * gb[i];
      if (!kDecoupled) gi += wd_grad * pb[i];
      const T mi = mb[i] + omb1 * (gi - mb[i]);
      const T vi = b2 * vb[i] + omb2 * gi * gi;
      mb[i] = mi;
      vb[i] = vi;
      den[i] = vi;
    }
    if (kAmsgrad) {
      T* __restrict xb = vmax + b;
      for (int64_t i = 0; i < n; ++i) {
        const T vh = xb[i] > den[i] ? xb[i] : den[i];
        xb[i] = vh;
        den[i] = vh;
      }
    }
    sqrt_loop(den, den, n);
    for (int64_t i = 0; i < n; ++i) {
      const T pi = kDecoupled ? pb[i] * decay : pb[i];
      pb[i] = pi - step_size * mb[i] / (den[i] * inv_bc2_sqrt + eps);
    }
  }
}

template <typename T>
void adam_range(int64_t lo, int64_t hi, T* p, const T* g, T* m, T* v, T* vmax, const AdamParams& h) {
  const double bc1 = 1 - __builtin_pow(h.beta1, static_cast<double>(h.step));
  const double bc2 = 1 - __builtin_pow(h.beta2, static_cast<double>(h.step));
  const T sign = h.maximize ? T(-1) : T(1);
  const T wd_grad = static_cast<T>(h.decoupled ? 0 : h.weight_decay);
  const T decay = static_cast<T>(1 - h.lr * h.weight_decay);
  const T omb1 = static_cast<T>(1 - h.beta1), b2 = static_cast<T>(h.beta2), omb2 = static_cast<T>(1 - h.beta2);
  const T step_size = static_cast<T>(h.lr / bc1), inv = static_cast<T>(1 / __builtin_sqrt(bc2));
  const T eps = static_cast<T>(h.eps);
  if (h.decoupled) {
    if (h.amsgrad)
      adam_loop<T, true, true>(lo, hi, p, g, m, v, vmax, sign, wd_grad, decay, omb1, b2, omb2, step_size, inv, eps);
    else adam_loop<T, true, false>(lo, hi, p, g, m, v, vmax, sign, wd_grad, decay, omb1, b2, omb2, step_size, inv, eps);
  } else if (h.amsgrad) {
    adam_loop<T, false, true>(lo, hi, p, g, m, v, vmax, sign, wd_grad, decay, omb1, b2, omb2, step_size, inv, eps);
  } else {
    adam_loop<T, false, false>(lo, hi, p, g, m, v, vmax, sign, wd_grad, decay, omb1, b2, omb2, step_size, inv, eps);
  }
}

}  // namespace
}  // namespace ops
}  // namespace tapegrad

// Defines the ISA's table getter, e.g. TAPEGRAD_DEFINE_OPTIM_TABLE(optim_table_avx2).
#define TAPEGRAD_DEFINE_OPTIM_TABLE(getter)                                                                        \
  namespace tapegrad {                                                                                             \
  namespace ops {                                                                                                  \
  const OptimTable* getter() noexcept {                                                                            \
    static constexpr OptimTable table{sgd_range<float>, sgd_range<double>, adam_range<float>, adam_range<double>}; \
    return &table;                                                                                                 \
  }                                                                                                                \
  }                                                                                                                \
  }

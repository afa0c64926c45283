// Fused optimizer updates (contract in tapegrad/optim.h): one pass over p, g and the state buffers.
// The loops are branch-free per element once the options are fixed (the options are hoisted into
// template flags), so the compiler vectorises them; large parameters are split over the pool.
#include <cmath>
#include <cstdint>

#include "tapegrad/optim.h"
#include "tapegrad/threads.h"

namespace tapegrad {
namespace {

constexpr int64_t kParallelMin = 1 << 17;

template <typename F> void for_chunks(int64_t n, F body) {
  const int threads = get_num_threads();
  if (threads <= 1 || n < kParallelMin) {
    body(int64_t{0}, n);
    return;
  }
  parallel_for(threads, [&](int t, int k) {
    // Chunk edges on multiples of 16 elements keep each thread's cache lines its own.
    const int64_t lo = (n * t / k) & ~int64_t{15}, hi = t + 1 == k ? n : (n * (t + 1) / k) & ~int64_t{15};
    body(lo, hi);
  });
}

template <typename T, bool kMomentum, bool kNesterov, bool kFirst>
void sgd_loop(int64_t lo, int64_t hi, T* p, const T* g, T* buf, T lr, T mu, T one_minus_tau, T wd, T sign) {
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

template <typename T> void sgd(int64_t n, T* p, const T* g, T* buf, const SgdParams& h) {
  const T lr = static_cast<T>(h.lr), mu = static_cast<T>(h.momentum), omt = static_cast<T>(1 - h.dampening);
  const T wd = static_cast<T>(h.weight_decay), sign = h.maximize ? T(-1) : T(1);
  for_chunks(n, [&](int64_t lo, int64_t hi) {
    if (h.momentum == 0) sgd_loop<T, false, false, false>(lo, hi, p, g, buf, lr, mu, omt, wd, sign);
    else if (h.first) {
      if (h.nesterov) sgd_loop<T, true, true, true>(lo, hi, p, g, buf, lr, mu, omt, wd, sign);
      else sgd_loop<T, true, false, true>(lo, hi, p, g, buf, lr, mu, omt, wd, sign);
    } else if (h.nesterov) sgd_loop<T, true, true, false>(lo, hi, p, g, buf, lr, mu, omt, wd, sign);
    else sgd_loop<T, true, false, false>(lo, hi, p, g, buf, lr, mu, omt, wd, sign);
  });
}

template <typename T, bool kDecoupled, bool kAmsgrad>
void adam_loop(int64_t lo, int64_t hi, T* p, const T* g, T* m, T* v, T* vmax, T sign, T wd_grad, T decay, T omb1,
               T b2, T omb2, T step_size, T inv_bc2_sqrt, T eps) {
  for (int64_t i = lo; i < hi; ++i) {
    T pi = p[i];
    T gi = sign * g[i];
    if (kDecoupled) pi *= decay;
    else gi += wd_grad * pi;
    const T mi = m[i] + omb1 * (gi - m[i]);
    const T vi = b2 * v[i] + omb2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    T vh = vi;
    if (kAmsgrad) {
      vh = vmax[i] > vi ? vmax[i] : vi;
      vmax[i] = vh;
    }
    p[i] = pi - step_size * mi / (std::sqrt(vh) * inv_bc2_sqrt + eps);
  }
}

template <typename T> void adam(int64_t n, T* p, const T* g, T* m, T* v, T* vmax, const AdamParams& h) {
  const double bc1 = 1 - std::pow(h.beta1, static_cast<double>(h.step));
  const double bc2 = 1 - std::pow(h.beta2, static_cast<double>(h.step));
  const T sign = h.maximize ? T(-1) : T(1);
  const T wd_grad = static_cast<T>(h.decoupled ? 0 : h.weight_decay);
  const T decay = static_cast<T>(1 - h.lr * h.weight_decay);
  const T omb1 = static_cast<T>(1 - h.beta1), b2 = static_cast<T>(h.beta2), omb2 = static_cast<T>(1 - h.beta2);
  const T step_size = static_cast<T>(h.lr / bc1), inv = static_cast<T>(1 / std::sqrt(bc2)), eps = static_cast<T>(h.eps);
  for_chunks(n, [&](int64_t lo, int64_t hi) {
    if (h.decoupled) {
      if (h.amsgrad) adam_loop<T, true, true>(lo, hi, p, g, m, v, vmax, sign, wd_grad, decay, omb1, b2, omb2, step_size, inv, eps);
      else adam_loop<T, true, false>(lo, hi, p, g, m, v, vmax, sign, wd_grad, decay, omb1, b2, omb2, step_size, inv, eps);
    } else if (h.amsgrad) {
      adam_loop<T, false, true>(lo, hi, p, g, m, v, vmax, sign, wd_grad, decay, omb1, b2, omb2, step_size, inv, eps);
    } else {
      adam_loop<T, false, false>(lo, hi, p, g, m, v, vmax, sign, wd_grad, decay, omb1, b2, omb2, step_size, inv, eps);
    }
  });
}

}  // namespace

void sgd_step_f32(int64_t n, float* p, const float* g, float* buf, const SgdParams& h) noexcept { sgd(n, p, g, buf, h); }
void sgd_step_f64(int64_t n, double* p, const double* g, double* buf, const SgdParams& h) noexcept { sgd(n, p, g, buf, h); }

void adam_step_f32(int64_t n, float* p, const float* g, float* m, float* v, float* vmax, const AdamParams& h) noexcept {
  adam(n, p, g, m, v, vmax, h);
}
void adam_step_f64(int64_t n, double* p, const double* g, double* m, double* v, double* vmax,
                   const AdamParams& h) noexcept {
  adam(n, p, g, m, v, vmax, h);
}

}  // namespace tapegrad

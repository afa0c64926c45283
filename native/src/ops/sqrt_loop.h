// sqrt_loop(x, out, n): out[i] = the IEEE (correctly rounded) square root of x[i], out == x allowed.
// Vectorised by hand: with errno semantics on (the default), GCC keeps a libm call for negative inputs
// in the loop and does not vectorise it. Every width gives the same bits. Shared by the elementwise
// kernels (kernels.h) and the optimizer loops (optim_loops.h), and like them included only by the
// per-ISA translation units: internal linkage, so no copy is shared between TUs built for different
// instruction sets (docs/NATIVE.md).
#pragma once
#include <cstdint>
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>  // intrinsics are gnu_inline/always_inline: never emitted out of line, no ODR risk
#endif

namespace tapegrad {
namespace ops {
namespace {

#if defined(__x86_64__) || defined(_M_X64)
inline double sqrt1(double v) {
  const __m128d x = _mm_set_sd(v);
  return _mm_cvtsd_f64(_mm_sqrt_sd(x, x));
}
inline float sqrt1(float v) { return _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(v))); }
void sqrt_loop(const double* x, double* out, int64_t n) {
  int64_t i = 0;
#if defined(__AVX512F__)
  for (; i + 8 <= n; i += 8) _mm512_storeu_pd(out + i, _mm512_sqrt_pd(_mm512_loadu_pd(x + i)));
#elif defined(__AVX__)
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(out + i, _mm256_sqrt_pd(_mm256_loadu_pd(x + i)));
#else
  for (; i + 2 <= n; i += 2) _mm_storeu_pd(out + i, _mm_sqrt_pd(_mm_loadu_pd(x + i)));
#endif
  for (; i < n; ++i) out[i] = sqrt1(x[i]);
}
void sqrt_loop(const float* x, float* out, int64_t n) {
  int64_t i = 0;
#if defined(__AVX512F__)
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, _mm512_sqrt_ps(_mm512_loadu_ps(x + i)));
#elif defined(__AVX__)
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_sqrt_ps(_mm256_loadu_ps(x + i)));
#else
  for (; i + 4 <= n; i += 4) _mm_storeu_ps(out + i, _mm_sqrt_ps(_mm_loadu_ps(x + i)));
#endif
  for (; i < n; ++i) out[i] = sqrt1(x[i]);
}
#else
template <typename T>
void sqrt_loop(const T* x, T* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(__builtin_sqrt(static_cast<double>(x[i])));
}
#endif

}  // namespace
}  // namespace ops
}  // namespace tapegrad

// AVX2+FMA GEMM micro-kernels and packing. Compiled with -mavx2 -mfma (CMakeLists.txt, by file name);
// executed only when cpu.cc reports Isa::Avx2 or better.
// Rule for this TU: include only <immintrin.h>, <cstdint> and our plain headers; every helper and
// template instantiation has internal linkage (anonymous namespace) — no shared inline/template code
// with baseline TUs (TOOLCHAIN.md, ODR pitfall).
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include <cstdint>

#include "gemm/kernels.h"

namespace tapegrad {
namespace gemm_detail {
namespace {

// Lane masks for partial loads/stores: the n lanes starting at kMask32 + 8 - n are all-ones.
alignas(32) constexpr int32_t kMask32[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
alignas(32) constexpr int64_t kMask64[8] = {-1, -1, -1, -1, 0, 0, 0, 0};

struct VecF32 {
  using T = float;
  using V = __m256;
  static constexpr int L = 8;
  static constexpr bool kPackTransposed = false;
  template <int ROWS>
  static void pack_transposed(const T*, int64_t, int64_t, T*) {}
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(T x) { return _mm256_set1_ps(x); }
  static V load(const T* p) { return _mm256_loadu_ps(p); }
  static V bcast(const T* p) { return _mm256_broadcast_ss(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static void store(T* p, V v) { _mm256_storeu_ps(p, v); }
  static __m256i mask(int n) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask32 + 8 - n)); }
  static V load_n(const T* p, int n) { return _mm256_maskload_ps(p, mask(n)); }
  static void store_n(T* p, V v, int n) { _mm256_maskstore_ps(p, mask(n), v); }
};

struct VecF64 {
  using T = double;
  using V = __m256d;
  static constexpr int L = 4;
  static constexpr bool kPackTransposed = false;
  template <int ROWS>
  static void pack_transposed(const T*, int64_t, int64_t, T*) {}
  static V zero() { return _mm256_setzero_pd(); }
  static V set1(T x) { return _mm256_set1_pd(x); }
  static V load(const T* p) { return _mm256_loadu_pd(p); }
  static V bcast(const T* p) { return _mm256_broadcast_sd(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V add(V a, V b) { return _mm256_add_pd(a, b); }
  static void store(T* p, V v) { _mm256_storeu_pd(p, v); }
  static __m256i mask(int n) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask64 + 4 - n)); }
  static V load_n(const T* p, int n) { return _mm256_maskload_pd(p, mask(n)); }
  static void store_n(T* p, V v, int n) { _mm256_maskstore_pd(p, mask(n), v); }
};

}  // namespace
}  // namespace gemm_detail
}  // namespace tapegrad

#include "gemm/ukernel_impl.h"

namespace tapegrad {
namespace gemm_detail {
namespace {
constexpr Kernels<float> kF32 = make_kernels<VecF32, kAvx2F32>("avx2");
constexpr Kernels<double> kF64 = make_kernels<VecF64, kAvx2F64>("avx2");
}  // namespace
const Kernels<float>* kernels_f32_avx2() noexcept { return &kF32; }
const Kernels<double>* kernels_f64_avx2() noexcept { return &kF64; }
}  // namespace gemm_detail
}  // namespace tapegrad
#endif

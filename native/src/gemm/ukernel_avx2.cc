// AVX2+FMA GEMM micro-kernels and packing. Compiled with -mavx2 -mfma (CMakeLists.txt, by file name);
// executed only when cpu.cc reports Isa::Avx2 or better.
// Rule for this TU: include only <immintrin.h>, <cstdint> and our plain headers; every helper and
// template instantiation has internal linkage (anonymous namespace) — no shared inline/template code
// with baseline TUs (docs/NATIVE.md, one instruction set per TU).
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
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(T x) { return _mm256_set1_ps(x); }
  static V load(const T* p) { return _mm256_loadu_ps(p); }
  static V bcast(const T* p) { return _mm256_broadcast_ss(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V relu(V v) { return _mm256_and_ps(_mm256_cmp_ps(v, zero(), _CMP_NLE_UQ), v); }
  static V positive_as_one(V m) { return _mm256_and_ps(_mm256_cmp_ps(m, zero(), _CMP_GT_OQ), set1(1)); }
  static void store(T* p, V v) { _mm256_storeu_ps(p, v); }
  static __m256i mask(int n) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask32 + 8 - n)); }
  static V load_n(const T* p, int n) { return _mm256_maskload_ps(p, mask(n)); }
  static void store_n(T* p, V v, int n) { _mm256_maskstore_ps(p, mask(n), v); }

  // out[p*ROWS + r] = src[r*ld + p]: 8×8 in-register transposes.
  static constexpr bool kPackTransposed = true;
  template <int ROWS>
  static void pack_transposed(const T* src, int64_t ld, int64_t kc, T* out) {
    for (int rb = 0; rb < ROWS; rb += 8) {
      const int rows = ROWS - rb < 8 ? ROWS - rb : 8;
      for (int64_t p = 0; p < kc; p += 8) {
        const int cols = kc - p < 8 ? static_cast<int>(kc - p) : 8;
        V x[8], t[8];
        for (int r = 0; r < 8; ++r) x[r] = r < rows ? load_n(src + (rb + r) * ld + p, cols) : zero();
        for (int i = 0; i < 4; ++i) {
          t[2 * i] = _mm256_unpacklo_ps(x[2 * i], x[2 * i + 1]);
          t[2 * i + 1] = _mm256_unpackhi_ps(x[2 * i], x[2 * i + 1]);
        }
        for (int i = 0; i < 2; ++i) {
          x[4 * i + 0] = _mm256_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0x44);
          x[4 * i + 1] = _mm256_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0xEE);
          x[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
          x[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
        }
        // x[4i + j], 128-bit lane g: rows 4i..4i+3 of column 4g + j.
        for (int j = 0; j < 4; ++j) {
          t[j] = _mm256_permute2f128_ps(x[j], x[4 + j], 0x20);
          t[4 + j] = _mm256_permute2f128_ps(x[j], x[4 + j], 0x31);
        }
        for (int q = 0; q < cols; ++q) {
          if (rows == 8) store(out + (p + q) * ROWS + rb, t[q]);
          else store_n(out + (p + q) * ROWS + rb, t[q], rows);
        }
      }
    }
  }
};

struct VecF64 {
  using T = double;
  using V = __m256d;
  static constexpr int L = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V set1(T x) { return _mm256_set1_pd(x); }
  static V load(const T* p) { return _mm256_loadu_pd(p); }
  static V bcast(const T* p) { return _mm256_broadcast_sd(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V add(V a, V b) { return _mm256_add_pd(a, b); }
  static V relu(V v) { return _mm256_and_pd(_mm256_cmp_pd(v, zero(), _CMP_NLE_UQ), v); }
  static V positive_as_one(V m) { return _mm256_and_pd(_mm256_cmp_pd(m, zero(), _CMP_GT_OQ), set1(1)); }
  static void store(T* p, V v) { _mm256_storeu_pd(p, v); }
  static __m256i mask(int n) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask64 + 4 - n)); }
  static V load_n(const T* p, int n) { return _mm256_maskload_pd(p, mask(n)); }
  static void store_n(T* p, V v, int n) { _mm256_maskstore_pd(p, mask(n), v); }

  // out[p*ROWS + r] = src[r*ld + p]: 4×4 in-register transposes.
  static constexpr bool kPackTransposed = true;
  template <int ROWS>
  static void pack_transposed(const T* src, int64_t ld, int64_t kc, T* out) {
    for (int rb = 0; rb < ROWS; rb += 4) {
      const int rows = ROWS - rb < 4 ? ROWS - rb : 4;
      for (int64_t p = 0; p < kc; p += 4) {
        const int cols = kc - p < 4 ? static_cast<int>(kc - p) : 4;
        V x[4], t[4];
        for (int r = 0; r < 4; ++r) x[r] = r < rows ? load_n(src + (rb + r) * ld + p, cols) : zero();
        t[0] = _mm256_unpacklo_pd(x[0], x[1]);  // lane g: rows 0,1 of column 2g
        t[1] = _mm256_unpackhi_pd(x[0], x[1]);  // lane g: rows 0,1 of column 2g+1
        t[2] = _mm256_unpacklo_pd(x[2], x[3]);
        t[3] = _mm256_unpackhi_pd(x[2], x[3]);
        x[0] = _mm256_permute2f128_pd(t[0], t[2], 0x20);
        x[1] = _mm256_permute2f128_pd(t[1], t[3], 0x20);
        x[2] = _mm256_permute2f128_pd(t[0], t[2], 0x31);
        x[3] = _mm256_permute2f128_pd(t[1], t[3], 0x31);
        for (int q = 0; q < cols; ++q) {
          if (rows == 4) store(out + (p + q) * ROWS + rb, x[q]);
          else store_n(out + (p + q) * ROWS + rb, x[q], rows);
        }
      }
    }
  }
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

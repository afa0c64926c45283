// AVX-512 GEMM micro-kernels and packing. Compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl
// -mavx2 -mfma (CMakeLists.txt, by file name); executed only when cpu.cc reports Isa::Avx512.
// Rule for this TU: include only <immintrin.h>, <cstdint> and our plain headers; every helper and
// template instantiation has internal linkage (anonymous namespace) — no shared inline/template code
// with baseline TUs, or the linker may hand AVX-512 code to older CPUs (docs/NATIVE.md, one instruction set per TU).
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include <cstdint>

#include "gemm/kernels.h"

namespace tapegrad {
namespace gemm_detail {
namespace {

struct VecF32 {
  using T = float;
  using V = __m512;
  static constexpr int L = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(T x) { return _mm512_set1_ps(x); }
  static V load(const T* p) { return _mm512_loadu_ps(p); }
  static V bcast(const T* p) { return _mm512_set1_ps(*p); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V relu(V v) { return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, zero(), _CMP_NLE_UQ), v); }
  static V positive_as_one(V m) { return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(m, zero(), _CMP_GT_OQ), set1(1)); }
  static void store(T* p, V v) { _mm512_storeu_ps(p, v); }
  static __mmask16 mask(int n) { return static_cast<__mmask16>((1u << n) - 1u); }
  static V load_n(const T* p, int n) { return _mm512_maskz_loadu_ps(mask(n), p); }
  static void store_n(T* p, V v, int n) { _mm512_mask_storeu_ps(p, mask(n), v); }

  // out[p*ROWS + r] = src[r*ld + p]: 16×16 in-register transposes (unpack, shuffle, 2× lane shuffle).
  static constexpr bool kPackTransposed = true;
  template <int ROWS>
  static void pack_transposed(const T* src, int64_t ld, int64_t kc, T* out) {
    for (int rb = 0; rb < ROWS; rb += 16) {
      const int rows = ROWS - rb < 16 ? ROWS - rb : 16;
      const __mmask16 row_mask = mask(rows);
      for (int64_t p = 0; p < kc; p += 16) {
        const int cols = kc - p < 16 ? static_cast<int>(kc - p) : 16;
        V x[16], t[16];
        for (int r = 0; r < 16; ++r) x[r] = r < rows ? load_n(src + (rb + r) * ld + p, cols) : zero();
        for (int i = 0; i < 8; ++i) {
          t[2 * i] = _mm512_unpacklo_ps(x[2 * i], x[2 * i + 1]);
          t[2 * i + 1] = _mm512_unpackhi_ps(x[2 * i], x[2 * i + 1]);
        }
        for (int i = 0; i < 4; ++i) {
          x[4 * i + 0] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0x44);
          x[4 * i + 1] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0xEE);
          x[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
          x[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
        }
        // x[4i + j] holds, in 128-bit lane g, rows 4i..4i+3 of column 4g + j.
        for (int j = 0; j < 4; ++j) {
          const V a = _mm512_shuffle_f32x4(x[j], x[4 + j], 0x88), b = _mm512_shuffle_f32x4(x[j], x[4 + j], 0xDD);
          const V c = _mm512_shuffle_f32x4(x[8 + j], x[12 + j], 0x88),
                  d = _mm512_shuffle_f32x4(x[8 + j], x[12 + j], 0xDD);
          t[j] = _mm512_shuffle_f32x4(a, c, 0x88);
          t[8 + j] = _mm512_shuffle_f32x4(a, c, 0xDD);
          t[4 + j] = _mm512_shuffle_f32x4(b, d, 0x88);
          t[12 + j] = _mm512_shuffle_f32x4(b, d, 0xDD);
        }
        // t[q] is column p + q: rows rb..rb+15.
        for (int q = 0; q < cols; ++q) _mm512_mask_storeu_ps(out + (p + q) * ROWS + rb, row_mask, t[q]);
      }
    }
  }
};

struct VecF64 {
  using T = double;
  using V = __m512d;
  static constexpr int L = 8;
  static V zero() { return _mm512_setzero_pd(); }
  static V set1(T x) { return _mm512_set1_pd(x); }
  static V load(const T* p) { return _mm512_loadu_pd(p); }
  static V bcast(const T* p) { return _mm512_set1_pd(*p); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V add(V a, V b) { return _mm512_add_pd(a, b); }
  static V relu(V v) { return _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(v, zero(), _CMP_NLE_UQ), v); }
  static V positive_as_one(V m) { return _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(m, zero(), _CMP_GT_OQ), set1(1)); }
  static void store(T* p, V v) { _mm512_storeu_pd(p, v); }
  static __mmask8 mask(int n) { return static_cast<__mmask8>((1u << n) - 1u); }
  static V load_n(const T* p, int n) { return _mm512_maskz_loadu_pd(mask(n), p); }
  static void store_n(T* p, V v, int n) { _mm512_mask_storeu_pd(p, mask(n), v); }

  // out[p*ROWS + r] = src[r*ld + p]: 8×8 in-register transposes.
  static constexpr bool kPackTransposed = true;
  template <int ROWS>
  static void pack_transposed(const T* src, int64_t ld, int64_t kc, T* out) {
    for (int rb = 0; rb < ROWS; rb += 8) {
      const int rows = ROWS - rb < 8 ? ROWS - rb : 8;
      const __mmask8 row_mask = mask(rows);
      for (int64_t p = 0; p < kc; p += 8) {
        const int cols = kc - p < 8 ? static_cast<int>(kc - p) : 8;
        V x[8], t[8];
        for (int r = 0; r < 8; ++r) x[r] = r < rows ? load_n(src + (rb + r) * ld + p, cols) : zero();
        for (int i = 0; i < 4; ++i) {
          t[2 * i] = _mm512_unpacklo_pd(x[2 * i], x[2 * i + 1]);      // lane g: (r0,c2g) (r1,c2g)
          t[2 * i + 1] = _mm512_unpackhi_pd(x[2 * i], x[2 * i + 1]);  // lane g: (r0,c2g+1) (r1,c2g+1)
        }
        // t[2i + j], lane g: rows 2i, 2i+1 of column 2g + j.
        for (int j = 0; j < 2; ++j) {
          const V a = _mm512_shuffle_f64x2(t[j], t[2 + j], 0x88), b = _mm512_shuffle_f64x2(t[j], t[2 + j], 0xDD);
          const V c = _mm512_shuffle_f64x2(t[4 + j], t[6 + j], 0x88),
                  d = _mm512_shuffle_f64x2(t[4 + j], t[6 + j], 0xDD);
          x[j] = _mm512_shuffle_f64x2(a, c, 0x88);      // column j
          x[4 + j] = _mm512_shuffle_f64x2(a, c, 0xDD);  // column 4 + j
          x[2 + j] = _mm512_shuffle_f64x2(b, d, 0x88);  // column 2 + j
          x[6 + j] = _mm512_shuffle_f64x2(b, d, 0xDD);  // column 6 + j
        }
        for (int q = 0; q < cols; ++q) _mm512_mask_storeu_pd(out + (p + q) * ROWS + rb, row_mask, x[q]);
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
constexpr Kernels<float> kF32 = make_kernels<VecF32, kAvx512F32>("avx512");
constexpr Kernels<double> kF64 = make_kernels<VecF64, kAvx512F64>("avx512");
}  // namespace
const Kernels<float>* kernels_f32_avx512() noexcept { return &kF32; }
const Kernels<double>* kernels_f64_avx512() noexcept { return &kF64; }
}  // namespace gemm_detail
}  // namespace tapegrad
#endif

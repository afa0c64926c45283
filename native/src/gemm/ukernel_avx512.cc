// AVX-512 GEMM micro-kernels and packing. Compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl
// -mavx2 -mfma (CMakeLists.txt, by file name); executed only when cpu.cc reports Isa::Avx512.
// Rule for this TU: include only <immintrin.h>, <cstdint> and our plain headers; every helper and
// template instantiation has internal linkage (anonymous namespace) — no shared inline/template code
// with baseline TUs, or the linker may hand AVX-512 code to older CPUs (TOOLCHAIN.md, ODR pitfall).
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
  static void store(T* p, V v) { _mm512_storeu_ps(p, v); }
  static __mmask16 mask(int n) { return static_cast<__mmask16>((1u << n) - 1u); }
  static V load_n(const T* p, int n) { return _mm512_maskz_loadu_ps(mask(n), p); }
  static void store_n(T* p, V v, int n) { _mm512_mask_storeu_ps(p, mask(n), v); }
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
  static void store(T* p, V v) { _mm512_storeu_pd(p, v); }
  static __mmask8 mask(int n) { return static_cast<__mmask8>((1u << n) - 1u); }
  static V load_n(const T* p, int n) { return _mm512_maskz_loadu_pd(mask(n), p); }
  static void store_n(T* p, V v, int n) { _mm512_mask_storeu_pd(p, mask(n), v); }
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

// Portable GEMM micro-kernels and packing (plain C++, baseline flags; the fallback on any CPU and the
// reference path the SIMD kernels are tested against). Same structure as the SIMD files: the generic
// body from ukernel_impl.h instantiated with a one-lane "vector", internal linkage.
#include <cstdint>

#include "gemm/kernels.h"

namespace tapegrad {
namespace gemm_detail {
namespace {

template <typename TT>
struct Scalar {
  using T = TT;
  using V = TT;
  static constexpr int L = 1;
  static constexpr bool kPackTransposed = false;
  template <int ROWS>
  static void pack_transposed(const T*, int64_t, int64_t, T*) {}
  static V zero() { return T(0); }
  static V set1(T x) { return x; }
  static V load(const T* p) { return *p; }
  static V bcast(const T* p) { return *p; }
  static V fma(V a, V b, V c) { return a * b + c; }
  static V mul(V a, V b) { return a * b; }
  static V add(V a, V b) { return a + b; }
  static V relu(V v) { return v > T(0) || v != v ? v : T(0); }
  static V positive_as_one(V m) { return m > T(0) ? T(1) : T(0); }
  static void store(T* p, V v) { *p = v; }
  static V load_n(const T* p, int n) { return n > 0 ? *p : T(0); }
  static void store_n(T* p, V v, int n) {
    if (n > 0) *p = v;
  }
};

}  // namespace
}  // namespace gemm_detail
}  // namespace tapegrad

#include "gemm/ukernel_impl.h"

namespace tapegrad {
namespace gemm_detail {
namespace {
constexpr Kernels<float> kF32 = make_kernels<Scalar<float>, kScalarF32>("scalar");
constexpr Kernels<double> kF64 = make_kernels<Scalar<double>, kScalarF64>("scalar");
}  // namespace
const Kernels<float>* kernels_f32_scalar() noexcept { return &kF32; }
const Kernels<double>* kernels_f64_scalar() noexcept { return &kF64; }
}  // namespace gemm_detail
}  // namespace tapegrad

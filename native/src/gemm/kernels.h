// The kernel table each instruction-set translation unit provides to the GEMM driver (gemm.cc).
// Types and declarations only: no inline code, so including it from an -mavx512f TU cannot leak
// ISA-specific COMDAT copies into baseline code (docs/NATIVE.md, one instruction set per TU).
#pragma once
#include <cstdint>

namespace tapegrad {
namespace gemm_detail {

constexpr int kMaxMR = 12;
constexpr int kMaxNV = 4;

// Micro-kernel: with A~ the packed MR×kc micro-panel (a[p*MR + r]) and B~ the packed kc×NR
// micro-panel (b[p*NR + j]), for r < R (the instantiation's row count), j < nr (nr <= NVU·VL):
//   C(r, j) ← α·(A~·B~)(r, j) + β·C(r, j) [+ bias[r*brs + j*bcs]]
// with C(r, j) at c[r*rsc + j] (unit column stride). If β == 0, C is not read.
// bias is null or describes a row vector (brs = 0, bcs = 1) or a column vector (brs = 1, bcs = 0).
template <typename T>
using UkrFn = void (*)(int64_t kc, const T* a, const T* b, T alpha, T beta, T* c, int64_t rsc, int nr, const T* bias,
                       int64_t brs, int64_t bcs);

// Packs an mc×kc block of A (element (i, p) at a[i*rsa + p*csa]) into ceil(mc/MR) micro-panels of
// MR×kc, each laid out k-major (out[panel*MR*kc + p*MR + r]); rows past mc are zero.
template <typename T>
using PackAFn = void (*)(int64_t mc, int64_t kc, const T* a, int64_t rsa, int64_t csa, T* out);

// Packs a kc×nc block of B (element (p, j) at b[p*rsb + j*csb]) into ceil(nc/NR) micro-panels of
// kc×NR (out[panel*NR*kc + p*NR + j]); columns past nc are zero.
template <typename T>
using PackBFn = void (*)(int64_t kc, int64_t nc, const T* b, int64_t rsb, int64_t csb, T* out);

// The fused epilogue on a stored tile of C, `rows` × nr at c[r*rsc + j] (unit column stride),
// while it is still in L1: kRelu keeps C(r, j) where it is > 0 or NaN and stores +0 elsewhere;
// kMaskPositive multiplies C(r, j) by 1 where mask[r*mrs + j] > 0, else by 0 (the same expressions as
// the driver's apply_epilogue in gemm.cc, so vectorising it changes no bit). A separate function, not
// part of the micro-kernel: in there, its constants pushed accumulators out of registers (15% slower).
enum class TileEpilogue : int { kRelu = 1, kMaskPositive = 2 };
template <typename T>
using TileEpilogueFn = void (*)(TileEpilogue epilogue, int rows, int nr, T* c, int64_t rsc, const T* mask, int64_t mrs);

template <typename T>
struct Kernels {
  const char* name;
  int mr, nv, vl, nr;
  int mc, kc, nc;
  UkrFn<T> ukr[kMaxMR][kMaxNV];  // ukr[R-1][NVU-1]: R rows, NVU vectors
  PackAFn<T> pack_a;
  PackBFn<T> pack_b;
  TileEpilogueFn<T> tile_epilogue;
};

const Kernels<float>* kernels_f32_scalar() noexcept;
const Kernels<double>* kernels_f64_scalar() noexcept;
#if defined(__x86_64__) || defined(_M_X64)
const Kernels<float>* kernels_f32_avx2() noexcept;
const Kernels<double>* kernels_f64_avx2() noexcept;
const Kernels<float>* kernels_f32_avx512() noexcept;
const Kernels<double>* kernels_f64_avx512() noexcept;
#endif

}  // namespace gemm_detail
}  // namespace tapegrad

// The generic micro-kernel body and the kernel-table builder, templated on a vector-traits type VT:
//   using T (element), V (vector); static constexpr int L (lanes);
//   zero(), set1(T), load(const T*) (unaligned), bcast(const T*), fma(a, b, c) = a·b + c,
//   mul(a, b), add(a, b), load_n(const T*, n) / store_n(T*, V, n) touch only the first n lanes;
//   relu(v) (v where v > 0 or NaN, else +0), positive_as_one(m) (1 where m > 0, else 0);
//   kPackTransposed (+ pack_transposed<ROWS>, see pack.h) for an ISA-specific transposing pack.
//
// Included ONLY by ukernel_*.cc after their traits (same internal-linkage rule as pack.h).
#pragma once
#include <cstdint>

#include "gemm/kernels.h"
#include "gemm/pack.h"
#include "gemm/params.h"

namespace tapegrad {
namespace gemm_detail {
namespace {

// C(0..R, 0..nr) ← α·A~·B~ + β·C (+ bias), see UkrFn in kernels.h.
// R rows (R <= MR; the packed A panel is MR wide) × NVU vectors (nr <= NVU·L; B panel is NV·L wide).
template <typename VT, int MR, int NV, int R, int NVU>
void ukr(int64_t kc, const typename VT::T* __restrict a, const typename VT::T* __restrict b, typename VT::T alpha,
         typename VT::T beta, typename VT::T* __restrict c, int64_t rsc, int nr, const typename VT::T* bias,
         int64_t brs, int64_t bcs) {
  using T = typename VT::T;
  using V = typename VT::V;
  constexpr int L = VT::L;
  constexpr int NR = NV * L;
  V acc[R][NVU];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NVU; ++v) acc[r][v] = VT::zero();

      // Request the C tile early (every line of it) so it arrives while the k loop runs.
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NVU; ++v) __builtin_prefetch(c + r * rsc + v * L, 1, 3);

      // No software prefetch here: the A micro-panel stays in L1 across the row sweep and the B panel
      // streams sequentially from L2, which the hardware prefetchers handle (explicit prefetches of B
      // 8 or 16 steps ahead measured no better on Zen 5).
#pragma GCC unroll 2
  for (int64_t p = 0; p < kc; ++p) {
    V bv[NVU];
#pragma GCC unroll 4
    for (int v = 0; v < NVU; ++v) bv[v] = VT::load(b + v * L);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const V av = VT::bcast(a + r);
#pragma GCC unroll 4
      for (int v = 0; v < NVU; ++v) acc[r][v] = VT::fma(av, bv[v], acc[r][v]);
    }
    a += MR;
    b += NR;
  }

  const V va = VT::set1(alpha);
  const V vb = VT::set1(beta);
  const bool full = nr >= NVU * L;
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    T* crow = c + r * rsc;
#pragma GCC unroll 4
    for (int v = 0; v < NVU; ++v) {
      const int left = nr - v * L;
      if (!full && left <= 0) break;
      const int n = full || left > L ? L : left;
      V x = VT::mul(acc[r][v], va);
      const bool whole = n == L;
      if (beta != T(0)) x = VT::fma(vb, whole ? VT::load(crow + v * L) : VT::load_n(crow + v * L, n), x);
      if (bias != nullptr) {
        if (bcs != 0) x = VT::add(x, whole ? VT::load(bias + v * L) : VT::load_n(bias + v * L, n));
        else x = VT::add(x, VT::set1(bias[r * brs]));
      }
      if (whole) VT::store(crow + v * L, x);
      else VT::store_n(crow + v * L, x, n);
    }
  }
}

// See TileEpilogueFn in kernels.h.
template <typename VT>
void tile_epilogue(TileEpilogue epilogue, int rows, int nr, typename VT::T* c, int64_t rsc, const typename VT::T* mask,
                   int64_t mrs) {
  using T = typename VT::T;
  constexpr int L = VT::L;
  for (int r = 0; r < rows; ++r) {
    T* crow = c + r * rsc;
    const T* mrow = epilogue == TileEpilogue::kMaskPositive ? mask + r * mrs : nullptr;  // no mask for relu
    for (int j = 0; j < nr; j += L) {
      const int n = nr - j < L ? nr - j : L;
      const bool whole = n == L;
      auto x = whole ? VT::load(crow + j) : VT::load_n(crow + j, n);
      if (epilogue == TileEpilogue::kRelu) x = VT::relu(x);
      else x = VT::mul(x, VT::positive_as_one(whole ? VT::load(mrow + j) : VT::load_n(mrow + j, n)));
      if (whole) VT::store(crow + j, x);
      else VT::store_n(crow + j, x, n);
    }
  }
}

template <typename VT, int MR, int NV, int R>
struct FillRows {
  static constexpr void run(Kernels<typename VT::T>& k) {
    k.ukr[R - 1][0] = &ukr<VT, MR, NV, R, 1>;
    if constexpr (NV >= 2) k.ukr[R - 1][1] = &ukr<VT, MR, NV, R, 2>;
    if constexpr (NV >= 3) k.ukr[R - 1][2] = &ukr<VT, MR, NV, R, 3>;
    if constexpr (NV >= 4) k.ukr[R - 1][3] = &ukr<VT, MR, NV, R, 4>;
    FillRows<VT, MR, NV, R - 1>::run(k);
  }
};
template <typename VT, int MR, int NV>
struct FillRows<VT, MR, NV, 0> {
  static constexpr void run(Kernels<typename VT::T>&) {}
};

template <typename VT, const Params& P>
constexpr Kernels<typename VT::T> make_kernels(const char* name) {
  static_assert(P.mr <= kMaxMR && P.nv <= kMaxNV && P.vl == VT::L, "params do not fit the kernel table");
  static_assert(P.mc % P.mr == 0 && P.nc % (P.nv * P.vl) == 0, "cache blocks must be multiples of the tile");
  Kernels<typename VT::T> k{};
  k.name = name;
  k.mr = P.mr;
  k.nv = P.nv;
  k.vl = P.vl;
  k.nr = P.nv * P.vl;
  k.mc = P.mc;
  k.kc = P.kc;
  k.nc = P.nc;
  FillRows<VT, P.mr, P.nv, P.mr>::run(k);
  k.pack_a = &pack_a<VT, typename VT::T, P.mr>;
  k.pack_b = &pack_b<VT, typename VT::T, P.nv * P.vl>;
  k.tile_epilogue = &tile_epilogue<VT>;
  return k;
}

}  // namespace
}  // namespace gemm_detail
}  // namespace tapegrad

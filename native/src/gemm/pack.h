// Packing routines, templated on the element type and the micro-tile size.
//
// Included ONLY by the per-ISA kernel files (ukernel_*.cc), after their vector traits, and everything
// here has internal linkage (anonymous namespace): each ISA TU gets its own copy compiled with its own
// -m flags, and no COMDAT symbol is shared with baseline code (docs/NATIVE.md, one instruction set per TU).
// Includes nothing but <cstdint>.
#pragma once
#include <cstdint>

namespace tapegrad {
namespace gemm_detail {
namespace {

// Optional fast path: VT::kPackTransposed and VT::pack_transposed<ROWS>(src, ld, kc, out) doing
// out[p*ROWS + r] = src[r*ld + p] for r < ROWS, p < kc (an in-register transpose on AVX-512).

// Copies rows [0, kc) of contiguous MR-wide slices into full panels when the source is k-major
// (src(p, r) at src[p*ld + r], r unit stride), sweeping 8 k steps across ALL panels at a time: the
// 8 source rows (8·nfull·MR elements) stay in L1 and each is read once, front to back, instead of
// striding through kc rows once per panel (a TLB/prefetcher-hostile pattern for large ld).
template <typename T, int W>
void pack_kmajor_full(int64_t nfull, int64_t kc, const T* src, int64_t ld, T* __restrict out) {
  for (int64_t p0 = 0; p0 < kc; p0 += 8) {
    const int64_t pe = kc - p0 < 8 ? kc : p0 + 8;
    for (int64_t q = 0; q < nfull; ++q) {
      const T* s = src + q * W;
      T* o = out + q * W * kc;
      for (int64_t p = p0; p < pe; ++p) {
#pragma GCC unroll 32
        for (int r = 0; r < W; ++r) o[p * W + r] = s[p * ld + r];
      }
    }
  }
}

// out[panel][p][r] = A(i0 + r, p), zero-padded to MR rows.
template <typename VT, typename T, int MR>
void pack_a(int64_t mc, int64_t kc, const T* a, int64_t rsa, int64_t csa, T* __restrict out) {
  int64_t i0 = 0;
  if (rsa == 1 && mc >= MR) {
    // Aᵀ stored row-major: each k step is contiguous across all of the block's rows.
    const int64_t nfull = mc / MR;
    pack_kmajor_full<T, MR>(nfull, kc, a, csa, out);
    i0 = nfull * MR;
    out += nfull * MR * kc;
  }
  for (; i0 < mc; i0 += MR) {
    const int64_t mr = mc - i0 < MR ? mc - i0 : MR;
    const T* ap = a + i0 * rsa;
    if (mr == MR && csa == 1 && VT::kPackTransposed) {
      VT::template pack_transposed<MR>(ap, rsa, kc, out);
    } else if (mr == MR && csa == 1) {
      // A row-major: a transpose; blocks of 8 k steps keep the MR source rows' lines hot.
      const T* rows[MR];
      for (int r = 0; r < MR; ++r) rows[r] = ap + r * rsa;
      int64_t p = 0;
      for (; p + 8 <= kc; p += 8) {
        T* dst = out + p * MR;
#pragma GCC unroll 16
        for (int r = 0; r < MR; ++r) {
          const T* s = rows[r] + p;
#pragma GCC unroll 8
          for (int q = 0; q < 8; ++q) dst[q * MR + r] = s[q];
        }
      }
      for (; p < kc; ++p)
        for (int r = 0; r < MR; ++r) out[p * MR + r] = rows[r][p];
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        T* dst = out + p * MR;
        int r = 0;
        for (; r < mr; ++r) dst[r] = ap[r * rsa + p * csa];
        for (; r < MR; ++r) dst[r] = T(0);
      }
    }
    out += MR * kc;
  }
}

// out[panel][p][j] = B(p, j0 + j), zero-padded to NR columns.
template <typename VT, typename T, int NR>
void pack_b(int64_t kc, int64_t nc, const T* b, int64_t rsb, int64_t csb, T* __restrict out) {
  int64_t j0 = 0;
  if (csb == 1 && nc >= NR) {
    // B row-major: each k step is contiguous across all of the block's columns.
    const int64_t nfull = nc / NR;
    pack_kmajor_full<T, NR>(nfull, kc, b, rsb, out);
    j0 = nfull * NR;
    out += nfull * NR * kc;
  }
  for (; j0 < nc; j0 += NR) {
    const int64_t nr = nc - j0 < NR ? nc - j0 : NR;
    const T* bp = b + j0 * csb;
    if (nr == NR && rsb == 1 && VT::kPackTransposed) {
      VT::template pack_transposed<NR>(bp, csb, kc, out);
    } else if (nr == NR && rsb == 1) {
      // Bᵀ stored row-major: a transpose, in blocks of 8 k steps.
      int64_t p = 0;
      for (; p + 8 <= kc; p += 8) {
        T* dst = out + p * NR;
        for (int j = 0; j < NR; ++j) {
          const T* s = bp + j * csb + p;
#pragma GCC unroll 8
          for (int q = 0; q < 8; ++q) dst[q * NR + j] = s[q];
        }
      }
      for (; p < kc; ++p)
        for (int j = 0; j < NR; ++j) out[p * NR + j] = bp[j * csb + p];
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        T* dst = out + p * NR;
        int j = 0;
        for (; j < nr; ++j) dst[j] = bp[p * rsb + j * csb];
        for (; j < NR; ++j) dst[j] = T(0);
      }
    }
    out += NR * kc;
  }
}

}  // namespace
}  // namespace gemm_detail
}  // namespace tapegrad

// Blocking parameters per instruction set and element type (plain constants, no code: safe to include
// from every translation unit).
//
// The micro-tile is MR rows × NR columns of C, held in MR·NV vector registers (NR = NV·VL lanes). A is
// broadcast one element per row, B is loaded one vector at a time, so the vectors run along n (C's
// contiguous dimension after the driver's orientation step).
//
// Where the cache blocks come from (Zen 5 here: L1d 48 KiB 12-way, L2 1 MiB 8-way, L3 shared; the
// same numbers are sane for Skylake-X / Ice Lake / Zen 4, which have L1d 32–48 KiB, L2 1–2 MiB):
// - KC: one packed micro-panel of B (KC×NR) stays in L1 while loop 1 streams A micro-panels past it,
//   so KC·NR·sizeof(T) ≈ half to two thirds of L1d (the other part holds the A panel and C lines).
//   AVX-512 f32: 256·32·4 = 32 KiB; f64: 256·16·8 = 32 KiB; AVX2: 256·16·4 = 16 KiB (L1 32 KiB there).
// - MC: the packed block of A (MC×KC) stays in L2 while loop 2 walks the B micro-panels:
//   MC·KC·sizeof(T) ≈ 1/2 of a 1 MiB L2 (f32 480·256·4 = 480 KiB; f64 240·256·8 = 480 KiB).
//   Multiples of MR.
// - NC: the packed block of B (KC×NC) lives in L3 (or streams from memory for huge n); NC·KC·sizeof(T)
//   of a few MiB keeps it inside any L3 of the last decade. Multiples of NR.
// Measured with bench/matmul.mjs (see the issue note); the env variables TAPEGRAD_GEMM_MC/KC/NC
// override them for tuning experiments only.
#pragma once

namespace tapegrad {
namespace gemm_detail {

struct Params {
  int mr, nv, vl;  // micro-tile rows, vectors per row, lanes per vector (nr = nv·vl)
  int mc, kc, nc;  // cache blocks
};

constexpr Params kAvx512F32{12, 2, 16, 480, 256, 4096};
constexpr Params kAvx512F64{12, 2, 8, 240, 256, 2048};
constexpr Params kAvx2F32{6, 2, 8, 144, 256, 4096};
constexpr Params kAvx2F64{6, 2, 4, 72, 256, 2048};
constexpr Params kScalarF32{4, 4, 1, 128, 256, 2048};
constexpr Params kScalarF64{4, 4, 1, 128, 256, 2048};

}  // namespace gemm_detail
}  // namespace tapegrad

// Blocking parameters per instruction set and element type (plain constants, no code: safe to include
// from every translation unit).
//
// The micro-tile is MR rows × NR columns of C, held in MR·NV vector registers (NR = NV·VL lanes). A is
// broadcast one element per row, B is loaded one vector at a time, so the vectors run along n (C's
// contiguous dimension after the driver's orientation step).
//
// Where the cache blocks come from (Zen 5 here: L1d 48 KiB 12-way, L2 1 MiB 8-way, L3 shared; the
// same numbers are sane for Skylake-X / Ice Lake / Zen 4, which have L1d 32–48 KiB, L2 1–2 MiB):
// Loop order (gemm.cc): loop 2 walks A's micro-panels, loop 1 sweeps B's micro-panels along C's rows,
// so an A micro-panel (MR×KC) stays in L1, B's block (KC×NC) is streamed from L2, and the C tiles a
// sweep touches are contiguous (hardware prefetch and TLB friendly for large row strides).
// - KC: the A micro-panel plus one B micro-panel (KC·(MR+NR)·sizeof(T)) stay well inside L1d:
//   AVX-512 f32 256·44·4 = 44 KiB streamed, of which the 12 KiB A panel is resident.
// - NC: B's packed block KC·NC·sizeof(T) ≈ L2 (f32 256·1024·4 = 1 MiB, f64 256·512·8 = 1 MiB); the
//   sweep reads it once per A micro-panel. Multiples of NR.
// - MC: how much of A is packed per B block; A's block is read once per (JC, PC) block, so it only
//   needs to be large enough to amortise loop overhead and small enough to stay in L2/L3 right after
//   packing (f32 480·256·4 = 480 KiB). Multiples of MR.
// AVX2 machines have L1d 32 KiB and L2 256 KiB–1 MiB: smaller NC there.
// Measured with bench/matmul.mjs (see the issue note); the env variables TAPEGRAD_GEMM_MC/KC/NC
// override them for tuning experiments only.
#pragma once

namespace tapegrad {
namespace gemm_detail {

struct Params {
  int mr, nv, vl;  // micro-tile rows, vectors per row, lanes per vector (nr = nv·vl)
  int mc, kc, nc;  // cache blocks
};

constexpr Params kAvx512F32{12, 2, 16, 480, 256, 1024};
constexpr Params kAvx512F64{12, 2, 8, 240, 256, 512};
constexpr Params kAvx2F32{6, 2, 8, 144, 256, 512};
constexpr Params kAvx2F64{6, 2, 4, 72, 256, 256};
constexpr Params kScalarF32{4, 4, 1, 128, 256, 2048};
constexpr Params kScalarF64{4, 4, 1, 128, 256, 2048};

}  // namespace gemm_detail
}  // namespace tapegrad

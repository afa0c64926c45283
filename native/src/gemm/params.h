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
// so an A micro-panel (MR×KC) stays in L1, B's block (KC×NC) streams from L2 or L3, and the C tiles a
// sweep touches are contiguous (hardware prefetch and TLB friendly for large row strides).
// - KC: the A micro-panel (MR·KC·sizeof(T)) stays in L1d with room for the streaming B lines:
//   AVX-512 f32 12·512·4 = 24 KiB, f64 12·256·8 = 24 KiB of a 48 KiB L1d (AVX2: 6·256·4 = 6 KiB of 32).
//   A deeper KC also means fewer read-modify-write passes over C.
// - NC: B's packed block (KC·NC·sizeof(T)) is re-read once per A micro-panel; sized for L2 it stays
//   there (f64 256·512·8 = 1 MiB), but for f32 a 4096-wide block streamed from L3 measured as fast
//   (Zen 5's L3→L1 bandwidth covers 128 B per 12 cycles easily) and saves re-packing A n/NC times.
// - MC: how much of A is packed per B block; A's block is read once per (JC, PC) block, so it only
//   needs to amortise the loop overhead and stay in L2/L3 right after packing. Multiples of MR.
// The f32 AVX-512 numbers were picked by alternating runs of bench-style square products at
// n = 256, 1024, 2048 (KC 256/384/512 and NC 512/1024/4096 were within ~3% of each other on the
// shared, noisy VM; these were the best or tied).
// Measured with bench/matmul.mjs (see the issue note); the env variables TAPEGRAD_GEMM_MC/KC/NC
// override them for tuning experiments only.
#pragma once

namespace tapegrad {
namespace gemm_detail {

struct Params {
  int mr, nv, vl;  // micro-tile rows, vectors per row, lanes per vector (nr = nv·vl)
  int mc, kc, nc;  // cache blocks
};

constexpr Params kAvx512F32{12, 2, 16, 480, 512, 4096};
constexpr Params kAvx512F64{12, 2, 8, 240, 256, 512};
constexpr Params kAvx2F32{6, 2, 8, 144, 256, 512};
constexpr Params kAvx2F64{6, 2, 4, 72, 256, 256};
constexpr Params kScalarF32{4, 4, 1, 128, 256, 2048};
constexpr Params kScalarF64{4, 4, 1, 128, 256, 2048};

}  // namespace gemm_detail
}  // namespace tapegrad

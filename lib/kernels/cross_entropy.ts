// Cross-entropy kernels without autograd: fused log-softmax + negative log-likelihood over rows i of
// the logits z [M, C], with PyTorch's semantics (lib/nn/cross_entropy.ts has the Function and the checks):
//   loss_i = Σ_c q_ic·(lse_i − z_ic),   lse_i = log Σ_c exp z_ic   (= −Σ_c q_ic·log softmax(z)_ic)
// with the coefficients
//   class index y_i:  q_ic = w_{y_i}(1−ε)·[c = y_i] + w_c·ε/C   (0 for rows with y_i = ignoreIndex)
//   probabilities t:  q_ic = w_c·((1−ε)·t_ic + ε/C)
// (w = class weights, 1 when absent; ε = labelSmoothing). The gradient is
// dloss_i/dz_ic = Q_i·softmax(z)_ic − q_ic with Q_i = Σ_c q_ic, so backward is one more pass over z.
// Large inputs go to the native kernels (native/include/tapegrad/loss.h); small ones run the JS loops
// below, which are the reference the native kernels are tested against.
import { recorder } from '../compile/state.js';
import { allocate, type FloatArray } from '../dtype.js';
import { native } from '../native.js';
import { Tensor } from '../tensor.js';
import { CE_NATIVE_MIN_ELEMENTS } from './routing.js';

/** What the kernels need of the target besides the tensors. */
export interface CeTargets {
  /** Class indices (int32 [M]) or null for probability targets. */
  indices: Int32Array | null;
  ignoreIndex: number;
  smoothing: number;
}

/** loss_i and lse_i for every row (see the file comment); JS reference kernel. */
function forwardJs(
  z: FloatArray,
  M: number,
  C: number,
  cfg: CeTargets,
  probs: FloatArray | null,
  w: FloatArray | null,
  loss: FloatArray,
  lse: Float64Array,
): void {
  const eps = cfg.smoothing,
    idx = cfg.indices;
  for (let i = 0; i < M; i++) {
    const o = i * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) if (z[o + c] > m) m = z[o + c];
    if (m === -Infinity) m = 0; // all −∞: lse = −∞ rather than NaN from −∞ − −∞
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(z[o + c] - m);
    const l = m + Math.log(s);
    lse[i] = l;
    let acc = 0;
    if (idx !== null) {
      const y = idx[i];
      if (y === cfg.ignoreIndex) {
        loss[i] = 0;
        continue;
      }
      acc = (1 - eps) * (w === null ? 1 : w[y]) * (l - z[o + y]);
      if (eps !== 0) {
        let sm = 0;
        if (w === null) for (let c = 0; c < C; c++) sm += l - z[o + c];
        else for (let c = 0; c < C; c++) sm += w[c] * (l - z[o + c]);
        acc += (eps / C) * sm;
      }
    } else {
      const t = probs!;
      for (let c = 0; c < C; c++) acc += (w === null ? 1 : w[c]) * ((1 - eps) * t[o + c] + eps / C) * (l - z[o + c]);
    }
    loss[i] = acc;
  }
}

/** dz_ic = r_i·(Q_i·softmax_ic − q_ic), r_i = r[i·rStride]; JS reference kernel. */
function backwardJs(
  z: FloatArray,
  lse: Float64Array,
  M: number,
  C: number,
  cfg: CeTargets,
  probs: FloatArray | null,
  w: FloatArray | null,
  r: FloatArray,
  rStride: number,
  dz: FloatArray,
): void {
  const eps = cfg.smoothing,
    idx = cfg.indices;
  let wsum = C;
  if (w !== null) {
    wsum = 0;
    for (let c = 0; c < C; c++) wsum += w[c];
  }
  for (let i = 0; i < M; i++) {
    const o = i * C,
      l = lse[i],
      ri = r[i * rStride];
    if (idx !== null) {
      const y = idx[i];
      if (y === cfg.ignoreIndex) {
        for (let c = 0; c < C; c++) dz[o + c] = 0;
        continue;
      }
      const wy = (1 - eps) * (w === null ? 1 : w[y]);
      const Q = wy + (eps / C) * wsum;
      for (let c = 0; c < C; c++) dz[o + c] = ri * (Q * Math.exp(z[o + c] - l) - (eps / C) * (w === null ? 1 : w[c]));
      dz[o + y] -= ri * wy;
    } else {
      const t = probs!;
      let Q = 0;
      for (let c = 0; c < C; c++) Q += (w === null ? 1 : w[c]) * ((1 - eps) * t[o + c] + eps / C);
      for (let c = 0; c < C; c++) {
        const q = (w === null ? 1 : w[c]) * ((1 - eps) * t[o + c] + eps / C);
        dz[o + c] = ri * (Q * Math.exp(z[o + c] - l) - q);
      }
    }
  }
}

/** loss_i (z's dtype) and lse_i (float64) for every row of z [M, C]; probs [M, C] and w [C] or null. */
export function crossEntropyForward(
  z: Tensor,
  cfg: CeTargets,
  probs: Tensor | null,
  w: Tensor | null,
): { loss: FloatArray; lse: Float64Array } {
  const [M, C] = z.shape;
  // lse stays float64 for float32 logits too: its float32 rounding would spoil exp(z − lse) at |z| ~ 1e4.
  const loss = allocate(z.dtype, M) as FloatArray,
    lse = new Float64Array(M);
  const zd = z.data as FloatArray;
  const pd = (probs?.data ?? null) as FloatArray | null,
    wd = (w?.data ?? null) as FloatArray | null;
  const rec = recorder();
  if (rec !== null)
    rec.nativeCall('crossEntropyForward', [zd, M, C, cfg.indices, pd, wd, cfg.ignoreIndex, cfg.smoothing, loss, lse]);
  else if (M * C >= CE_NATIVE_MIN_ELEMENTS)
    native.crossEntropyForward(zd, M, C, cfg.indices, pd, wd, cfg.ignoreIndex, cfg.smoothing, loss, lse);
  else forwardJs(zd, M, C, cfg, pd, wd, loss, lse);
  return { loss, lse };
}

/** dz [M, C] = r_i·(Q_i·softmax(z)_i − q_i), r_i = r[i·rStride] (rStride 0: one r for every row). */
export function crossEntropyBackward(
  z: Tensor,
  lse: Float64Array,
  cfg: CeTargets,
  probs: Tensor | null,
  w: Tensor | null,
  r: FloatArray,
  rStride: number,
): Tensor {
  const [M, C] = z.shape;
  const dz = allocate(z.dtype, M * C) as FloatArray;
  const zd = z.data as FloatArray;
  const pd = (probs?.data ?? null) as FloatArray | null,
    wd = (w?.data ?? null) as FloatArray | null;
  const rec = recorder();
  if (rec !== null)
    rec.nativeCall('crossEntropyBackward', [
      zd,
      lse,
      M,
      C,
      cfg.indices,
      pd,
      wd,
      cfg.ignoreIndex,
      cfg.smoothing,
      r,
      rStride,
      dz,
    ]);
  else if (M * C >= CE_NATIVE_MIN_ELEMENTS)
    native.crossEntropyBackward(zd, lse, M, C, cfg.indices, pd, wd, cfg.ignoreIndex, cfg.smoothing, r, rStride, dz);
  else backwardJs(zd, lse, M, C, cfg, pd, wd, r, rStride, dz);
  return Tensor._wrap(dz, z.shape, z.dtype);
}

/**
 * The reduction of the per-row losses: out = Σ loss ('sum') or Σ loss / divisor ('mean'), and inverse =
 * 1 / divisor, the factor mean's backward applies (divisor: Σ w[y_i] over rows not ignored, 1 per row
 * without weights; M for probability targets). Eagerly the divisor is the one the caller computed from
 * the targets; while tg.compile records, the addon recomputes it from the targets on every replay.
 */
export function crossEntropyReduce(
  losses: FloatArray,
  C: number,
  cfg: CeTargets,
  w: FloatArray | null,
  reduction: 'sum' | 'mean',
  divisor: number,
): { out: FloatArray; inverse: FloatArray } {
  // From the allocator, so that a recording moves them into its arena (the first call's result keeps its values).
  const dtype = losses instanceof Float32Array ? 'float32' : 'float64';
  const out = allocate(dtype, 1) as FloatArray,
    inverse = allocate(dtype, 1) as FloatArray;
  const rec = recorder();
  if (rec !== null) {
    const args = [losses, losses.length, C, cfg.indices, w, cfg.ignoreIndex, reduction === 'mean', out, inverse];
    rec.nativeCall('crossEntropyReduce', args);
    return { out, inverse };
  }
  let s = 0;
  for (let i = 0; i < losses.length; i++) s += losses[i];
  out[0] = reduction === 'sum' ? s : s / divisor;
  inverse[0] = 1 / divisor;
  return { out, inverse };
}

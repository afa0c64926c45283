// crossEntropy: fused log-softmax + negative log-likelihood, forward and backward, with PyTorch's
// semantics (class-index or probability targets, class weights, ignoreIndex, label smoothing).
//
// Every case is one formula over rows i of the logits z [M, C]:
//   loss_i = Σ_c q_ic·(lse_i − z_ic),   lse_i = log Σ_c exp z_ic   (= −Σ_c q_ic·log softmax(z)_ic)
// with the coefficients
//   class index y_i:  q_ic = w_{y_i}(1−ε)·[c = y_i] + w_c·ε/C   (0 for rows with y_i = ignoreIndex)
//   probabilities t:  q_ic = w_c·((1−ε)·t_ic + ε/C)
// (w = class weights, 1 when absent; ε = labelSmoothing). Reduction 'mean' divides the sum by
// Σ_{i not ignored} w_{y_i} for class indices and by M for probabilities, exactly as torch.
// The gradient is dloss_i/dz_ic = Q_i·softmax(z)_ic − q_ic with Q_i = Σ_c q_ic, so backward is one
// more pass over z (native kernel for large inputs). With createGraph, backward is composed of tensor
// ops instead, so second derivatives work.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { allocate, type FloatArray } from '../dtype.js';
import { isGradEnabled } from '../grad_mode.js';
import { native } from '../native.js';
import { add } from '../ops/add.js';
import { exp } from '../ops/exp.js';
import { log as logOf } from '../ops/log.js';
import { mul } from '../ops/mul.js';
import { neg } from '../ops/neg.js';
import { permute } from '../ops/permute.js';
import { reshape, reshapeOwnResult } from '../ops/reshape.js';
import { sub } from '../ops/sub.js';
import { sum } from '../ops/sum.js';
import { checkTensorArg, runN } from '../ops/util.js';
import { describe, formatShape, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkReduction, type Reduction } from './reduction.js';

/** Below this many logits the JS loops beat a call into the addon. */
export const CE_NATIVE_MIN_ELEMENTS = 4096;

const hasNative = typeof native.crossEntropyForward === 'function';

interface CeConfig {
  /** Class indices (int32 [M]) or null for probability targets (then the target is a tensor input). */
  indices: Int32Array | null;
  /** The int32 target tensor behind indices, saved so an in-place change before backward is caught. */
  indexTensor: Tensor | null;
  ignoreIndex: number;
  smoothing: number;
  reduction: Reduction;
  /** Mean's divisor (computed in forward). */
  divisor: number;
}

/** loss_i and lse_i for every row (see the file comment); JS reference kernel. */
function forwardJs(z: FloatArray, M: number, C: number, cfg: CeConfig, probs: FloatArray | null, w: FloatArray | null, loss: FloatArray, lse: Float64Array): void {
  const eps = cfg.smoothing, idx = cfg.indices;
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
function backwardJs(z: FloatArray, lse: Float64Array, M: number, C: number, cfg: CeConfig, probs: FloatArray | null, w: FloatArray | null, r: FloatArray, rStride: number, dz: FloatArray): void {
  const eps = cfg.smoothing, idx = cfg.indices;
  let wsum = C;
  if (w !== null) {
    wsum = 0;
    for (let c = 0; c < C; c++) wsum += w[c];
  }
  for (let i = 0; i < M; i++) {
    const o = i * C, l = lse[i], ri = r[i * rStride];
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
      for (let c = 0; c < C; c++)
        dz[o + c] = ri * (Q * Math.exp(z[o + c] - l) - (w === null ? 1 : w[c]) * ((1 - eps) * t[o + c] + eps / C));
    }
  }
}

function runForward(z: Tensor, cfg: CeConfig, probs: Tensor | null, w: Tensor | null): { loss: FloatArray; lse: Float64Array } {
  const [M, C] = z.shape;
  // lse stays float64 for float32 logits too: its float32 rounding would spoil exp(z − lse) at |z| ~ 1e4.
  const loss = allocate(z.dtype, M) as FloatArray, lse = new Float64Array(M);
  if (hasNative && M * C >= CE_NATIVE_MIN_ELEMENTS)
    native.crossEntropyForward(z.data as FloatArray, M, C, cfg.indices, (probs?.data ?? null) as FloatArray | null, (w?.data ?? null) as FloatArray | null, cfg.ignoreIndex, cfg.smoothing, loss, lse);
  else forwardJs(z.data as FloatArray, M, C, cfg, (probs?.data ?? null) as FloatArray | null, (w?.data ?? null) as FloatArray | null, loss, lse);
  return { loss, lse };
}

function runBackward(z: Tensor, lse: Float64Array, cfg: CeConfig, probs: Tensor | null, w: Tensor | null, r: FloatArray, rStride: number): Tensor {
  const [M, C] = z.shape;
  const dz = allocate(z.dtype, M * C) as FloatArray;
  if (hasNative && M * C >= CE_NATIVE_MIN_ELEMENTS)
    native.crossEntropyBackward(z.data as FloatArray, lse, M, C, cfg.indices, (probs?.data ?? null) as FloatArray | null, (w?.data ?? null) as FloatArray | null, cfg.ignoreIndex, cfg.smoothing, r, rStride, dz);
  else backwardJs(z.data as FloatArray, lse, M, C, cfg, (probs?.data ?? null) as FloatArray | null, (w?.data ?? null) as FloatArray | null, r, rStride, dz);
  return Tensor._wrap(dz, z.shape, z.dtype);
}

/** The dense coefficient matrix q [M, C] as a tensor expression (differentiable in the probability target). */
function coefficients(z: Tensor, cfg: CeConfig, probs: Tensor | null, w: Tensor | null): Tensor {
  const [M, C] = z.shape;
  const eps = cfg.smoothing;
  if (probs !== null) {
    const q = add(mul(probs, 1 - eps), eps / C);
    return w === null ? q : mul(q, reshape(w, [1, C]));
  }
  const q = allocate(z.dtype, M * C) as FloatArray;
  const idx = cfg.indices!, wd = w?.data;
  for (let i = 0; i < M; i++) {
    const y = idx[i];
    if (y === cfg.ignoreIndex) continue;
    for (let c = 0; c < C; c++) q[i * C + c] = (eps / C) * (wd === undefined ? 1 : wd[c]);
    q[i * C + y] += (1 - eps) * (wd === undefined ? 1 : wd[y]);
  }
  return Tensor._wrap(q, [M, C], z.dtype);
}

/** Row-wise log-softmax of z [M, C] as tensor ops (the row max is a constant shift). */
function logSoftmaxComposed(z: Tensor): Tensor {
  const [M, C] = z.shape;
  const m = allocate(z.dtype, M) as FloatArray;
  for (let i = 0; i < M; i++) {
    let v = -Infinity;
    for (let c = 0; c < C; c++) if (z.data[i * C + c] > v) v = z.data[i * C + c];
    m[i] = Number.isFinite(v) ? v : 0;
  }
  const shifted = sub(z, Tensor._wrap(m, [M, 1], z.dtype));
  const logSum = logOf(sum(exp(shifted), 1, true));
  return sub(shifted, logSum);
}

/** What CrossEntropy keeps for backward besides saved tensors. */
type CrossEntropyCtx = FunctionCtx<{ cfg: CeConfig; lse: Float64Array }>;

export class CrossEntropy extends Function {
  /** z [M, C]; probs [M, C] or null; weight [C] or null; cfg holds the indices and options. */
  static override forward(z: Tensor, probs: Tensor | null, weight: Tensor | null, cfg: CeConfig): Tensor {
    const { loss, lse } = runForward(z, cfg, probs, weight);
    (cfg as CeConfig & { lse?: Float64Array }).lse = lse; // handed to setupContext (derived from z; z is saved)
    if (cfg.reduction === 'none') return Tensor._wrap(loss, [z.shape[0]], z.dtype);
    let s = 0;
    for (let i = 0; i < loss.length; i++) s += loss[i];
    const out = allocate(z.dtype, 1);
    out[0] = cfg.reduction === 'sum' ? s : s / cfg.divisor;
    return Tensor._wrap(out, [], z.dtype);
  }
  static override setupContext(
    ctx: CrossEntropyCtx,
    [z, probs, weight, cfg]: [Tensor, Tensor | null, Tensor | null, CeConfig],
  ): void {
    ctx.saveForBackward(z, probs, weight, cfg.indexTensor);
    ctx.saved = { cfg, lse: (cfg as CeConfig & { lse: Float64Array }).lse }; // set by forward
  }
  static override backward(ctx: CrossEntropyCtx, g: Tensor): [Tensor | null, Tensor | null, null, null] {
    const [z, probs, weight] = ctx.savedTensors;
    const cfg = ctx.saved.cfg;
    const [M, C] = z.shape;
    // r_i: the gradient reaching loss_i.
    const rT = cfg.reduction === 'none' ? g : cfg.reduction === 'sum' ? g : mul(g, 1 / cfg.divisor);
    let dz: Tensor | null = null, dt: Tensor | null = null;
    if (isGradEnabled()) {
      // createGraph: compose the gradient of tensor ops so it can be differentiated again.
      const logp = logSoftmaxComposed(z);
      const q = coefficients(z, cfg, probs, weight);
      const r2 = reshape(rT, cfg.reduction === 'none' ? [M, 1] : [1, 1]);
      if (ctx.needsInputGrad[0]) {
        const Q = sum(q, 1, true);
        dz = mul(r2, sub(mul(Q, exp(logp)), q));
      }
      if (ctx.needsInputGrad[1]) {
        const wl = weight === null ? logp : mul(logp, reshape(weight, [1, C]));
        dt = mul(neg(mul(r2, wl)), 1 - cfg.smoothing);
      }
      return [dz, dt, null, null];
    }
    if (ctx.needsInputGrad[0]) {
      const r = rT.dtype === z.dtype ? (rT.data as FloatArray) : z.dtype === 'float32' ? Float32Array.from(rT.data) : Float64Array.from(rT.data);
      dz = runBackward(z, ctx.saved.lse, cfg, probs, weight, r as FloatArray, cfg.reduction === 'none' ? 1 : 0);
    }
    if (ctx.needsInputGrad[1]) {
      const lse = ctx.saved.lse;
      const out = allocate(z.dtype, M * C) as FloatArray;
      const wd = weight?.data;
      for (let i = 0; i < M; i++) {
        const ri = rT.data[cfg.reduction === 'none' ? i : 0];
        for (let c = 0; c < C; c++)
          out[i * C + c] = -ri * (1 - cfg.smoothing) * (wd === undefined ? 1 : wd[c]) * (z.data[i * C + c] - lse[i]);
      }
      dt = Tensor._wrap(out, [M, C], z.dtype);
    }
    return [dz, dt, null, null];
  }
}

export interface CrossEntropyOptions {
  /** 'mean' (default; over non-ignored targets, weighted), 'sum' or 'none' (per sample). */
  reduction?: Reduction;
  /** Class-index targets equal to this are skipped (default -100). */
  ignoreIndex?: number;
  /** ε in [0, 1]: targets become (1−ε)·onehot + ε/C (default 0). */
  labelSmoothing?: number;
  /** Per-class weights [C] (same dtype as input); treated as a constant. */
  weight?: Tensor | null;
}

/**
 * Cross-entropy between logits and targets, fused log-softmax + NLL (torch.nn.functional.cross_entropy).
 * input [N, C], [N, C, d1, ...] or [C]; target int32 class indices [N, d1, ...] (or 0-d), or float
 * probabilities with input's shape. Returns a 0-d tensor, or [N, d1, ...] with reduction 'none'.
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const fn = 'crossEntropy';
  checkTensorArg(input, fn, 'input');
  checkTensorArg(target, fn, 'target');
  if (typeof options !== 'object' || options === null) throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  if (input.dtype !== 'float32' && input.dtype !== 'float64') throw new TypeError(`${fn}: argument 'input' must be float32 or float64, got ${input.dtype}`);
  const reduction = checkReduction(options.reduction, fn);
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex)) throw new TypeError(`${fn}: option 'ignoreIndex' must be an integer, got ${typeof ignoreIndex === 'number' ? String(ignoreIndex) : describe(ignoreIndex)}`);
  const smoothing = options.labelSmoothing ?? 0;
  if (typeof smoothing !== 'number') throw new TypeError(`${fn}: option 'labelSmoothing' must be a number in [0, 1], got ${describe(smoothing)}`);
  if (!(smoothing >= 0 && smoothing <= 1)) throw new RangeError(`${fn}: option 'labelSmoothing' must be a number in [0, 1], got ${smoothing}`);
  if (input.ndim < 1) throw new RangeError(`${fn}: argument 'input' must have at least one dim [N, C, ...] or [C], got shape ${formatShape(input.shape)}`);
  const C = input.ndim === 1 ? input.shape[0] : input.shape[1];
  const weight = options.weight ?? null;
  if (weight !== null) {
    checkTensorArg(weight, fn, 'weight');
    if (weight.dtype !== input.dtype) throw new TypeError(`${fn}: option 'weight' must have input's dtype ${input.dtype}, got ${weight.dtype}`);
    if (weight.ndim !== 1 || weight.shape[0] !== C) throw new RangeError(`${fn}: option 'weight' must have shape [${C}] (one weight per class), got ${formatShape(weight.shape)}`);
  }
  const probTarget = target.dtype === 'float32' || target.dtype === 'float64';
  if (!probTarget && target.dtype !== 'int32')
    throw new TypeError(`${fn}: argument 'target' must be int32 class indices or float probabilities, got ${target.dtype}`);
  if (probTarget) {
    if (!shapesEqual(target.shape, input.shape))
      throw new RangeError(`${fn}: probability target must have input's shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`);
    if (target.dtype !== input.dtype) throw new TypeError(`${fn}: probability target must have input's dtype ${input.dtype}, got ${target.dtype}`);
  } else {
    const want = input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
    if (!shapesEqual(target.shape, want))
      throw new RangeError(`${fn}: class-index target must have shape ${formatShape(want)} for input ${formatShape(input.shape)}, got ${formatShape(target.shape)}`);
    const t = target.data as Int32Array;
    for (let i = 0; i < t.length; i++)
      if ((t[i] < 0 || t[i] >= C) && t[i] !== ignoreIndex)
        throw new RangeError(`${fn}: target ${t[i]} is out of bounds for ${C} classes (at flat index ${i})`);
  }
  // Bring the class dim last and flatten to rows: [M, C].
  const outShape = input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
  const toRows = (x: Tensor): Tensor => {
    if (x.ndim === 1) return reshape(x, [1, C]);
    if (x.ndim === 2) return x;
    const perm = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2), 1];
    return reshape(permute(x, perm), [-1, C]);
  };
  const z = toRows(input);
  const probs = probTarget ? toRows(target) : null;
  const indices = probTarget ? null : (target.data as Int32Array);
  const M = z.shape[0];
  let divisor = M;
  if (!probTarget) {
    divisor = 0;
    for (let i = 0; i < M; i++) {
      const y = indices![i];
      if (y !== ignoreIndex) divisor += weight === null ? 1 : weight.data[y];
    }
  }
  const cfg: CeConfig = { indices, indexTensor: probTarget ? null : target, ignoreIndex, smoothing, reduction, divisor };
  const out = runN(CrossEntropy, [z, probs, weight, cfg]) as Tensor;
  return reduction === 'none' && !shapesEqual(out.shape, outShape) ? reshapeOwnResult(out, outShape) : out;
}

// crossEntropy: fused log-softmax + negative log-likelihood, forward and backward, with PyTorch's
// semantics (class-index or probability targets, class weights, ignoreIndex, label smoothing).
// The formula and its kernels are in lib/kernels/cross_entropy.ts. Reduction 'mean' divides the sum by
// Σ_{i not ignored} w_{y_i} for class indices and by M for probabilities, exactly as torch.
// With createGraph, backward is composed of tensor ops instead, so second derivatives work.
import { recorder } from '../compile/state.js';
import { Function, type FunctionCtx } from '../autograd/function.js';
import { allocate, type FloatArray } from '../dtype.js';
import { isGradEnabled } from '../grad_mode.js';
import {
  crossEntropyBackward,
  crossEntropyForward,
  crossEntropyReduce,
  type CeTargets,
} from '../kernels/cross_entropy.js';
import { add, exp, log as logOf, mul, neg, sub } from '../ops/elementwise.js';
import { permute } from '../ops/permute.js';
import { reshape, reshapeOwnResult } from '../ops/reshape.js';
import { sum } from '../ops/sum.js';
import { checkTensorArg, runN } from '../ops/util.js';
import { describe, formatShape, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkReduction, type Reduction } from './reduction.js';

interface CeConfig extends CeTargets {
  /** The int32 target tensor behind indices, saved so an in-place change before backward is caught. */
  indexTensor: Tensor | null;
  reduction: Reduction;
  /** Mean's divisor (computed in forward). */
  divisor: number;
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
  const idx = cfg.indices!,
    wd = w?.data;
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

/**
 * Mean's divisor: Σ w_{y_i} over targets not ignored (1 per target without weights); for
 * probability targets (no index tensor) the number of rows, `rows`.
 */
function meanDivisor(rows: number, indexTensor: Tensor | null, weight: Tensor | null, ignoreIndex: number): number {
  if (indexTensor === null) return rows;
  const idx = indexTensor.data;
  let divisor = 0;
  for (let i = 0; i < idx.length; i++) {
    const y = idx[i];
    if (y !== ignoreIndex) divisor += weight === null ? 1 : weight.data[y];
  }
  return divisor;
}

/** What CrossEntropy keeps for backward besides saved tensors. */
type CrossEntropyCtx = FunctionCtx<{ cfg: CeConfig; lse: Float64Array }>;

export class CrossEntropy extends Function {
  /** z [M, C]; probs [M, C] or null; weight [C] or null; cfg holds the indices and options. */
  static override forward(z: Tensor, probs: Tensor | null, weight: Tensor | null, cfg: CeConfig): Tensor {
    const { loss, lse } = crossEntropyForward(z, cfg, probs, weight);
    (cfg as CeConfig & { lse?: Float64Array }).lse = lse; // handed to setupContext (derived from z; z is saved)
    if (cfg.reduction === 'none') return Tensor._wrap(loss, [z.shape[0]], z.dtype);
    const { out, inverse } = crossEntropyReduce(
      loss,
      z.shape[1],
      cfg,
      (weight?.data ?? null) as FloatArray | null,
      cfg.reduction,
      cfg.divisor,
    );
    // Mean's backward scales by 1 / divisor: this tensor, which a replay recomputes from its targets.
    (cfg as CeConfig & { inverse?: Tensor }).inverse = Tensor._wrap(inverse, [], z.dtype);
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
    const rec = recorder();
    if (rec !== null && (isGradEnabled() || ctx.needsInputGrad[1]))
      rec.graphBreak(
        'crossEntropy backward with createGraph or a probability target that requires grad',
        'it computes in JS from the targets',
      );
    const rT =
      cfg.reduction === 'none' || cfg.reduction === 'sum'
        ? g
        : rec !== null
          ? mul(g, (cfg as CeConfig & { inverse: Tensor }).inverse)
          : mul(g, 1 / cfg.divisor);
    let dz: Tensor | null = null,
      dt: Tensor | null = null;
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
      const r =
        rT.dtype === z.dtype
          ? (rT.data as FloatArray)
          : z.dtype === 'float32'
            ? Float32Array.from(rT.data)
            : Float64Array.from(rT.data);
      dz = crossEntropyBackward(
        z,
        ctx.saved.lse,
        cfg,
        probs,
        weight,
        r as FloatArray,
        cfg.reduction === 'none' ? 1 : 0,
      );
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
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  if (input.dtype !== 'float32' && input.dtype !== 'float64')
    throw new TypeError(`${fn}: argument 'input' must be float32 or float64, got ${input.dtype}`);
  const reduction = checkReduction(options.reduction, fn);
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex))
    throw new TypeError(
      `${fn}: option 'ignoreIndex' must be an integer, got ${typeof ignoreIndex === 'number' ? String(ignoreIndex) : describe(ignoreIndex)}`,
    );
  const smoothing = options.labelSmoothing ?? 0;
  if (typeof smoothing !== 'number')
    throw new TypeError(`${fn}: option 'labelSmoothing' must be a number in [0, 1], got ${describe(smoothing)}`);
  if (!(smoothing >= 0 && smoothing <= 1))
    throw new RangeError(`${fn}: option 'labelSmoothing' must be a number in [0, 1], got ${smoothing}`);
  if (input.ndim < 1)
    throw new RangeError(
      `${fn}: argument 'input' must have at least one dim [N, C, ...] or [C], got shape ${formatShape(input.shape)}`,
    );
  const C = input.ndim === 1 ? input.shape[0] : input.shape[1];
  const weight = options.weight ?? null;
  if (weight !== null) {
    checkTensorArg(weight, fn, 'weight');
    if (weight.dtype !== input.dtype)
      throw new TypeError(`${fn}: option 'weight' must have input's dtype ${input.dtype}, got ${weight.dtype}`);
    if (weight.ndim !== 1 || weight.shape[0] !== C)
      throw new RangeError(
        `${fn}: option 'weight' must have shape [${C}] (one weight per class), got ${formatShape(weight.shape)}`,
      );
  }
  const probTarget = target.dtype === 'float32' || target.dtype === 'float64';
  if (!probTarget && target.dtype !== 'int32')
    throw new TypeError(
      `${fn}: argument 'target' must be int32 class indices or float probabilities, got ${target.dtype}`,
    );
  if (probTarget) {
    if (!shapesEqual(target.shape, input.shape))
      throw new RangeError(
        `${fn}: probability target must have input's shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
      );
    if (target.dtype !== input.dtype)
      throw new TypeError(`${fn}: probability target must have input's dtype ${input.dtype}, got ${target.dtype}`);
  } else {
    const want = input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
    if (!shapesEqual(target.shape, want))
      throw new RangeError(
        `${fn}: class-index target must have shape ${formatShape(want)} for input ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
      );
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
  const divisor = meanDivisor(M, probTarget ? null : target, weight, ignoreIndex);
  const cfg: CeConfig = {
    indices,
    indexTensor: probTarget ? null : target,
    ignoreIndex,
    smoothing,
    reduction,
    divisor,
  };
  const out = runN(CrossEntropy, [z, probs, weight, cfg]) as Tensor;
  return reduction === 'none' && !shapesEqual(out.shape, outShape) ? reshapeOwnResult(out, outShape) : out;
}

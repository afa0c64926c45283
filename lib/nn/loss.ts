// Losses other than crossEntropy: nllLoss, mseLoss, l1Loss, binaryCrossEntropyWithLogits. The
// elementwise ones are compositions of differentiable ops; nllLoss is a Function whose backward is a
// constant one-hot mask times the incoming gradient (so it is differentiable again).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { nllForward, nllGradMask } from '../kernels/nll.js';
import { abs, add, exp, log1p, mul, neg, relu, sigmoid, softplus, sub } from '../ops/elementwise.js';
import { expand } from '../ops/expand.js';
import { permute } from '../ops/permute.js';
import { reshape, reshapeOwnResult } from '../ops/reshape.js';
import { checkTensorArg, runN } from '../ops/util.js';
import { describe, formatShape, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkReduction, reduceLoss, type Reduction } from './reduction.js';

function checkFloat(x: Tensor, fn: string, arg: string): void {
  if (x.dtype !== 'float32' && x.dtype !== 'float64')
    throw new TypeError(`${fn}: argument '${arg}' must be float32 or float64, got ${x.dtype}`);
}

function checkPair(input: Tensor, target: Tensor, fn: string): void {
  checkTensorArg(input, fn, 'input');
  checkTensorArg(target, fn, 'target');
  checkFloat(input, fn, 'input');
  checkFloat(target, fn, 'target');
  if (!shapesEqual(input.shape, target.shape))
    throw new RangeError(
      `${fn}: input and target must have the same shape, got input ${formatShape(input.shape)} and target ${formatShape(target.shape)}`,
    );
  if (input.dtype !== target.dtype)
    throw new TypeError(
      `${fn}: input and target must have the same dtype, got input ${input.dtype} and target ${target.dtype}`,
    );
}

function optionsObject(o: unknown, fn: string): Record<string, unknown> {
  if (o === undefined) return {};
  if (typeof o !== 'object' || o === null) throw new TypeError(`${fn}: options must be an object, got ${describe(o)}`);
  return o as Record<string, unknown>;
}

/** Mean (or sum/none) of (input − target)²; input and target the same shape. */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkPair(input, target, 'mseLoss');
  const reduction = checkReduction(optionsObject(options, 'mseLoss').reduction, 'mseLoss');
  const d = sub(input, target);
  return reduceLoss(mul(d, d), reduction);
}

/** Mean (or sum/none) of |input − target|; input and target the same shape. */
export function l1Loss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkPair(input, target, 'l1Loss');
  const reduction = checkReduction(optionsObject(options, 'l1Loss').reduction, 'l1Loss');
  return reduceLoss(abs(sub(input, target)), reduction);
}

export interface BceWithLogitsOptions {
  reduction?: Reduction;
  /** Rescales each element's loss (broadcast to input's shape). */
  weight?: Tensor | null;
  /** Weight of the positive term, per class (broadcast over the last dim). */
  posWeight?: Tensor | null;
}

/**
 * The elementwise binary cross-entropy on logits x with targets t and log-weight L (torch's formula):
 *   ℓ = (1 − t)·x + L·softplus(−x),   softplus(−x) = log(1 + e^{−|x|}) + max(−x, 0)  (no overflow),
 * with L = 1 + (pw − 1)·t when a positive weight pw is given (an input, so pw and t get their share
 * through it), else 1. One Function, because composing the stable forward from abs and relu gives
 * their zero subgradients at x = 0 (0.75 instead of σ(0) − t); backward uses the closed forms
 *   ∂ℓ/∂x = L·σ(x) − (L − 1) − t   (σ(x) − t without pw: no cancellation where σ(x) is tiny),
 *   ∂ℓ/∂t = −x,   ∂ℓ/∂L = softplus(−x),
 * written with tensor ops so that second derivatives (σ(x)·σ(−x) at x) are recorded too.
 */
export class BceWithLogits extends Function {
  static override forward(x: Tensor, t: Tensor, logWeight: Tensor | null): Tensor {
    const sp = softplusOfNegated(x);
    return add(mul(sub(1, t), x), logWeight === null ? sp : mul(logWeight, sp));
  }
  static override setupContext(ctx: FunctionCtx, [x, t, logWeight]: [Tensor, Tensor, Tensor | null]): void {
    ctx.saveForBackward(x, t, logWeight);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): [Tensor | null, Tensor | null, Tensor | null] {
    const [x, t, logWeight] = ctx.savedTensors;
    let dx: Tensor | null = null;
    if (ctx.needsInputGrad[0]) {
      const s = sigmoid(x);
      dx = mul(g, logWeight === null ? sub(s, t) : sub(sub(mul(logWeight, s), sub(logWeight, 1)), t));
    }
    const dt = ctx.needsInputGrad[1] ? mul(g, neg(x)) : null;
    // softplus(−x) has σ(−x) as derivative everywhere, so a second derivative through L is exact too.
    const dl = ctx.needsInputGrad[2] ? mul(g, softplus(neg(x))) : null;
    return [dx, dt, dl];
  }
}

/** log(1 + e^{−|x|}) + max(−x, 0) = softplus(−x) for any magnitude (forward value only). */
function softplusOfNegated(x: Tensor): Tensor {
  return add(log1p(exp(neg(abs(x)))), relu(neg(x)));
}

/**
 * Binary cross-entropy on logits, stable for any magnitude (see BceWithLogits), times weight.
 * input and target the same shape (float).
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BceWithLogitsOptions = {},
): Tensor {
  const fn = 'binaryCrossEntropyWithLogits';
  checkPair(input, target, fn);
  const o = optionsObject(options, fn);
  const reduction = checkReduction(o.reduction, fn);
  const weight = (o.weight ?? null) as Tensor | null;
  const posWeight = (o.posWeight ?? null) as Tensor | null;
  for (const [name, t] of [
    ['weight', weight],
    ['posWeight', posWeight],
  ] as const)
    if (t !== null) {
      checkTensorArg(t, fn, name);
      if (t.dtype !== input.dtype)
        throw new TypeError(`${fn}: option '${name}' must have input's dtype ${input.dtype}, got ${t.dtype}`);
    }
  let logWeight = posWeight === null ? null : add(mul(sub(posWeight, 1), target), 1);
  if (logWeight !== null && !shapesEqual(logWeight.shape, input.shape))
    logWeight = expand(logWeight, input.shape as number[]);
  let loss = runN(BceWithLogits, [input, target, logWeight]) as Tensor;
  if (weight !== null) loss = mul(loss, weight);
  return reduceLoss(loss, reduction);
}

interface NllConfig {
  indices: Int32Array;
  ignoreIndex: number;
  reduction: Reduction;
}

/** What NllLoss keeps for backward besides saved tensors. */
type NllLossCtx = FunctionCtx<{ mask: Tensor; perRow: boolean }>;

export class NllLoss extends Function {
  static override forward(x: Tensor, weight: Tensor | null, cfg: NllConfig): Tensor {
    return nllForward(x, weight, cfg.indices, cfg.ignoreIndex, cfg.reduction);
  }
  static override setupContext(ctx: NllLossCtx, [x, weight, cfg]: [Tensor, Tensor | null, NllConfig]): void {
    // The gradient is a constant mask: −w_{y_i} (÷ divisor for mean) at (i, y_i), times g.
    const mask = nllGradMask(
      x.shape,
      x.dtype as 'float32' | 'float64',
      weight,
      cfg.indices,
      cfg.ignoreIndex,
      cfg.reduction,
    );
    ctx.saved = { mask, perRow: cfg.reduction === 'none' };
  }
  static override backward(ctx: NllLossCtx, g: Tensor): [Tensor, null, null] {
    const mask = ctx.saved.mask;
    return [mul(mask, ctx.saved.perRow ? reshape(g, [mask.shape[0], 1]) : g), null, null];
  }
}

/**
 * Negative log-likelihood of log-probabilities: input [N, C] (or [C], or [N, C, d...]), target int32
 * class indices; options reduction ('mean' over non-ignored, weighted), ignoreIndex (-100), weight [C].
 */
export function nllLoss(
  input: Tensor,
  target: Tensor,
  options: { reduction?: Reduction; ignoreIndex?: number; weight?: Tensor | null } = {},
): Tensor {
  const fn = 'nllLoss';
  checkTensorArg(input, fn, 'input');
  checkTensorArg(target, fn, 'target');
  checkFloat(input, fn, 'input');
  const o = optionsObject(options, fn);
  const reduction = checkReduction(o.reduction, fn);
  const ignoreIndex = o.ignoreIndex ?? -100;
  if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex))
    throw new TypeError(
      `${fn}: option 'ignoreIndex' must be an integer, got ${typeof ignoreIndex === 'number' ? String(ignoreIndex) : describe(ignoreIndex)}`,
    );
  if (target.dtype !== 'int32')
    throw new TypeError(`${fn}: argument 'target' must be int32 class indices, got ${target.dtype}`);
  if (input.ndim < 1)
    throw new RangeError(
      `${fn}: argument 'input' must have at least one dim [N, C, ...] or [C], got shape ${formatShape(input.shape)}`,
    );
  const C = input.ndim === 1 ? input.shape[0] : input.shape[1];
  const weight = (o.weight ?? null) as Tensor | null;
  if (weight !== null) {
    checkTensorArg(weight, fn, 'weight');
    if (weight.dtype !== input.dtype)
      throw new TypeError(`${fn}: option 'weight' must have input's dtype ${input.dtype}, got ${weight.dtype}`);
    if (weight.ndim !== 1 || weight.shape[0] !== C)
      throw new RangeError(
        `${fn}: option 'weight' must have shape [${C}] (one weight per class), got ${formatShape(weight.shape)}`,
      );
  }
  const outShape = input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
  if (!shapesEqual(target.shape, outShape))
    throw new RangeError(
      `${fn}: target must have shape ${formatShape(outShape)} for input ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
    );
  const t = target.data as Int32Array; // the kernels check its values (on every replay too)
  let x = input;
  if (input.ndim === 1) x = reshape(input, [1, C]);
  else if (input.ndim > 2)
    x = reshape(permute(input, [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2), 1]), [-1, C]);
  const out = runN(NllLoss, [x, weight, { indices: t, ignoreIndex, reduction }]) as Tensor;
  return reduction === 'none' && !shapesEqual(out.shape, outShape) ? reshapeOwnResult(out, outShape) : out;
}

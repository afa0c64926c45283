// slice: x[start:end:step] along dim (a copy). d/dx = g written into zeros of x's shape at the
// sliced positions; that scatter is a Function of its own (SliceBackward) whose gradient is a slice
// again, so gradients of gradients work.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { sliceAlong, sliceScatter } from '../kernels/indexing.js';
import { describe, normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkTensorArg, runN } from './util.js';

/** What Slice keeps for backward besides saved tensors. */
type SliceCtx = FunctionCtx<{ dim: number; start: number; step: number }>;
/** What SliceBackward keeps for backward besides saved tensors. */
type SliceBackwardCtx = FunctionCtx<{ dim: number; start: number; step: number; len: number }>;

export class Slice extends Function {
  static override forward(x: Tensor, dim: number, start: number, step: number, len: number): Tensor {
    return sliceAlong(x, dim, start, step, len);
  }
  static override setupContext(ctx: SliceCtx, [, dim, start, step]: [Tensor, number, number, number, number]): void {
    ctx.saved = { dim, start, step };
  }
  static override backward(ctx: SliceCtx, g: Tensor): [Tensor, null, null, null, null] {
    const gx = runN(SliceBackward, [g, ctx.inputShapes[0], ctx.saved.dim, ctx.saved.start, ctx.saved.step]) as Tensor;
    return [gx, null, null, null, null];
  }
}

/** Zeros of `shape` holding g at [start::step] along dim; its own gradient is the matching slice. */
export class SliceBackward extends Function {
  static override forward(g: Tensor, shape: number[], dim: number, start: number, step: number): Tensor {
    return sliceScatter(g, shape, dim, start, step);
  }
  static override setupContext(
    ctx: SliceBackwardCtx,
    [g, , dim, start, step]: [Tensor, number[], number, number, number],
  ): void {
    ctx.saved = { dim, start, step, len: g.shape[dim] };
  }
  static override backward(ctx: SliceBackwardCtx, gg: Tensor): [Tensor, null, null, null, null] {
    const gs = runN(Slice, [gg, ctx.saved.dim, ctx.saved.start, ctx.saved.step, ctx.saved.len]) as Tensor;
    return [gs, null, null, null, null];
  }
}

/** Python's clamping of a slice bound: negative counts from the end, then clamped to 0..n. */
function bound(v: number | null | undefined, n: number, fallback: number, arg: string): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new TypeError(`slice: argument '${arg}' must be an integer (or null), got ${describe(v)}`);
  if (v < 0) v += n;
  return v < 0 ? 0 : v > n ? n : v;
}

/**
 * x[start:end:step] along dim, as Python slicing: start and end may be negative (from the end) or
 * null (the whole range) and are clamped to the dim; step ≥ 1. Returns a copy of shape x.shape with
 * shape[dim] = max(0, ceil((end − start) / step)).
 */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  x = checkTensorArg(x, 'slice', 'x');
  if (x.ndim === 0) throw new RangeError('slice: cannot slice a 0-d tensor');
  if (typeof dim !== 'number') throw new TypeError(`slice: argument 'dim' must be a number, got ${describe(dim)}`);
  const d = normalizeDim(dim, x.ndim, 'slice');
  if (typeof step !== 'number' || !Number.isInteger(step))
    throw new TypeError(`slice: argument 'step' must be an integer, got ${describe(step)}`);
  if (step < 1) throw new RangeError(`slice: argument 'step' must be at least 1, got ${step}`);
  const n = x.shape[d];
  const s = bound(start, n, 0, 'start');
  const e = bound(end, n, n, 'end');
  const len = e > s ? Math.ceil((e - s) / step) : 0;
  return runN(Slice, [x, d, s, step, len]) as Tensor;
}

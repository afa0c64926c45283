// var over dims (all by default): Σ(x − mean)² / max(N − correction, 0), correction 1 by default
// (PyTorch's unbiased estimator). Two passes (mean first), so large offsets cost no accuracy.
// d/dx = 2·(x − mean)/(N − correction), broadcast back.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { isFloatDType } from '../dtype.js';
import { binary, unary } from '../kernels/elementwise.js';
import { reduce } from '../kernels/reduce.js';
import { describe, normalizeDims } from '../shape.js';
import type { Tensor, Dims } from '../tensor.js';
import { mean } from './mean.js';
import { mul, sub } from './elementwise.js';
import { expandReduced } from './sum.js';
import { toDtype } from './to_dtype.js';
import { runN, checkTensorArg, isOptionsObject } from './util.js';

/** var's and std's options: the second argument may also be a plain keepdim boolean. */
/** var/std's keyword arguments; dim only when the object stands in dim's place: var(x, { dim: 0 }). */
export interface VarOptions {
  dim?: Dims | null;
  /** Subtracted from the element count in the divisor (1: unbiased, 0: the population variance). */
  correction?: number;
  keepdim?: boolean;
}

/** @internal var's forward kernel: the variance and the divisor max(N − correction, 0). */
export function varianceKernel(x: Tensor, dims: number[], correction: number, keepdim: boolean): Tensor {
  const m = reduce('mean', x, dims, true);
  const dev = binary('sub', x, m);
  const ss = reduce('sum', unary('square', dev), dims, keepdim);
  return binary('div', ss, divisor(x, dims, correction));
}

/** @internal */
export function divisor(x: Tensor, dims: number[], correction: number): number {
  const n = dims.reduce((p, d) => p * x.shape[d], 1);
  return Math.max(n - correction, 0);
}

/** @internal (dims, correction, keepdim) from var/std's arguments, validated; x converted to float. */
export function varArgs(
  op: string,
  x: Tensor,
  dim: Dims | null | undefined | VarOptions,
  opts: VarOptions | boolean | undefined,
): [Tensor, number[], number, boolean] {
  x = checkTensorArg(x, op, 'x');
  if (isOptionsObject(dim)) {
    // var(x, { dim, correction, keepdim }): every argument by name.
    if (opts !== undefined)
      throw new TypeError(`${op}: the options object must be the last argument, got ${describe(opts)} after it`);
    const { dim: d, ...rest } = dim as VarOptions;
    [dim, opts] = [d, rest];
  }
  const dims = normalizeDims(dim as Dims | null | undefined, x.ndim, op);
  let correction = 1,
    keepdim = false;
  if (typeof opts === 'boolean') keepdim = opts;
  else if (opts !== undefined && opts !== null) {
    if (typeof opts !== 'object')
      throw new TypeError(
        `${op}: argument 'options' must be a boolean (keepdim) or { correction?, keepdim? }, got ${describe(opts)}`,
      );
    for (const key of Object.keys(opts))
      if (key !== 'correction' && key !== 'keepdim')
        throw new TypeError(
          `${op}: unknown option '${key}' (expected 'correction', 'keepdim'${key === 'dim' ? '; dim is the second argument, or give every argument in one object' : ''})`,
        );
    if (opts.correction !== undefined) {
      if (typeof opts.correction !== 'number' || !Number.isFinite(opts.correction) || opts.correction < 0)
        throw new TypeError(
          `${op}: argument 'correction' must be a non-negative number, got ${describe(opts.correction)}`,
        );
      correction = opts.correction;
    }
    if (opts.keepdim !== undefined) {
      if (typeof opts.keepdim !== 'boolean')
        throw new TypeError(`${op}: argument 'keepdim' must be a boolean, got ${describe(opts.keepdim)}`);
      keepdim = opts.keepdim;
    }
  }
  return [isFloatDType(x.dtype) ? x : toDtype(x, 'float32'), dims, correction, keepdim];
}

/** What Var keeps for backward besides saved tensors. */
type VarCtx = FunctionCtx<{ dims: number[]; keepdim: boolean; divisor: number }>;

export class Var extends Function {
  static override forward(x: Tensor, dims: number[], correction: number, keepdim: boolean): Tensor {
    return varianceKernel(x, dims, correction, keepdim);
  }
  static override setupContext(ctx: VarCtx, [x, dims, correction, keepdim]: [Tensor, number[], number, boolean]): void {
    ctx.saveForBackward(x);
    ctx.saved = { dims, keepdim, divisor: divisor(x, dims, correction) };
  }
  static override backward(ctx: VarCtx, g: Tensor): [Tensor, null, null, null] {
    const [x] = ctx.savedTensors;
    const dims = ctx.saved.dims;
    const spread = expandReduced(g, x.shape, dims, ctx.saved.keepdim);
    const dev = sub(x, mean(x, dims, true));
    return [mul(spread, mul(dev, 2 / ctx.saved.divisor)), null, null, null];
  }
}

/**
 * Variance over dim (a number or an array; all dims when omitted or null). The second argument is keepdim
 * or { correction = 1, keepdim = false }; the divisor is max(N − correction, 0). Integer inputs give float32.
 */
export function variance(
  x: Tensor,
  dim?: Dims | null | VarOptions,
  options?: Omit<VarOptions, 'dim'> | boolean,
): Tensor {
  return runN(Var, varArgs('var', x, dim, options)) as Tensor;
}
export { variance as var };

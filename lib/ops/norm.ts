// norm over dims (all by default): the vector p-norm (Σ|x|^p)^(1/p) of each slice, p = 2 by default;
// p = 1, 2, any p > 0, Infinity (max |x|) and -Infinity (min |x|). Gradients as PyTorch:
//   p = 2:      x/‖x‖, and 0 where ‖x‖ = 0 (not NaN);
//   p = 1:      sign(x);
//   p = ±∞:     sign(x) on the elements with |x| = ‖x‖, shared evenly among ties;
//   other p:    sign(x)·|x|^(p−1)/‖x‖^(p−1), 0 where x = 0 or ‖x‖ = 0.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { isFloatDType } from '../dtype.js';
import { binary, copy, unary } from '../kernels/elementwise.js';
import { compareKernel } from '../kernels/indexing.js';
import { reduce, reducedShape } from '../kernels/reduce.js';
import { describe, normalizeDims } from '../shape.js';
import { Tensor, type Dims } from '../tensor.js';
import { abs, add, div, mul, pow } from './elementwise.js';
import { reshape } from './reshape.js';
import { expandReduced } from './sum.js';
import { toDtype } from './to_dtype.js';
import { checkBool, checkTensorArg, runN, keywordArgs, type KeepdimOption, type ReduceOptions } from './util.js';

function normKernel(x: Tensor, p: number, dims: number[], keepdim: boolean): Tensor {
  const a = unary('abs', x);
  if (p === Infinity) return reduce('max', a, dims, keepdim);
  if (p === -Infinity) return reduce('min', a, dims, keepdim);
  if (p === 1) return reduce('sum', a, dims, keepdim);
  if (p === 2) return unary('sqrt', reduce('sum', unary('square', x), dims, keepdim));
  return unary('powScalar', reduce('sum', unary('powScalar', a, p), dims, keepdim), 1 / p);
}

/** A float tensor of t's dtype holding 1 where t is 0, else 0 (kernels, so that tg.compile recomputes it). */
function zeroMask(t: Tensor): Tensor {
  return copy(compareKernel('eq', t, 0, t.shape.slice()), t.dtype);
}

/** What Norm keeps for backward besides saved tensors. */
type NormCtx = FunctionCtx<{
  p: number;
  dims: number[];
  keepdim: boolean;
  /** p = ±∞: the share of g each entry equal to the extreme gets. */
  weight: Tensor;
  /** 1 where the norm is 0, else 0. */
  zeroNorm: Tensor;
  /** p ≠ 2: 1 where x is 0, else 0. */
  zeroX: Tensor;
}>;

export class Norm extends Function {
  static override forward(x: Tensor, p: number, dims: number[], keepdim: boolean): Tensor {
    return normKernel(x, p, dims, keepdim);
  }
  static override setupContext(
    ctx: NormCtx,
    [x, p, dims, keepdim]: [Tensor, number, number[], boolean],
    y: Tensor,
  ): void {
    ctx.saveForBackward(x, y);
    ctx.saved.p = p;
    ctx.saved.dims = dims;
    ctx.saved.keepdim = keepdim;
    const yk = Tensor._wrap(y.data, reducedShape(x.shape, dims, true), y.dtype);
    if (p === Infinity || p === -Infinity) {
      // The elements that attain the norm, each weighted 1/(number of ties in its slice): a constant.
      const ax = unary('abs', x);
      const target = binary('sub', ax, yk); // 0 exactly where |x| equals the slice's norm
      const m = zeroMask(target);
      const counts = reduce('sum', m, dims, true);
      ctx.saved.weight = binary('div', m, counts);
    } else if (p !== 1) {
      ctx.saved.zeroNorm = zeroMask(yk); // where ‖x‖ = 0 the gradient is 0
      if (p !== 2) ctx.saved.zeroX = zeroMask(x);
    }
  }
  static override backward(ctx: NormCtx, g: Tensor): [Tensor, null, null, null] {
    const [x, y] = ctx.savedTensors;
    const p = ctx.saved.p;
    const dims = ctx.saved.dims;
    const keepdim = ctx.saved.keepdim;
    const spread = expandReduced(g, x.shape, dims, keepdim);
    const sign = unary('sign', x);
    if (p === 1) return [mul(spread, sign), null, null, null];
    if (p === Infinity || p === -Infinity) return [mul(spread, mul(sign, ctx.saved.weight)), null, null, null];
    const yk = keepdim ? y : reshape(y, reducedShape(x.shape, dims, true));
    const safeNorm = add(yk, ctx.saved.zeroNorm); // ‖x‖, or 1 where it is 0 (x is all 0 there)
    if (p === 2) return [mul(spread, div(x, safeNorm)), null, null, null];
    // sign(x)·|x|^(p−1)/‖x‖^(p−1), with |x| replaced by 1 where x = 0 (sign is 0 there anyway).
    const safeAbs = add(abs(x), ctx.saved.zeroX);
    const ratio = pow(div(safeAbs, safeNorm), p - 1);
    return [mul(spread, mul(sign, ratio)), null, null, null];
  }
}

/** norm's keyword arguments: norm(x, { p: 1, dim: 0 }). */
export interface NormOptions extends ReduceOptions {
  p?: number;
}

/** The vector p-norm over dim (a number or an array; all dims when omitted or null); p = 2 by default. */
export function norm(
  x: Tensor,
  p?: number | NormOptions,
  dim?: Dims | null | Omit<NormOptions, 'p'>,
  keepdim?: boolean | KeepdimOption,
): Tensor {
  x = checkTensorArg(x, 'norm', 'x');
  [p, dim, keepdim] = keywordArgs('norm', ['p', 'dim', 'keepdim'], [p, dim, keepdim]) as [
    number | undefined,
    Dims | null | undefined,
    boolean | undefined,
  ];
  p ??= 2;
  if (typeof p !== 'number' || !(p > 0 || p === -Infinity))
    throw new TypeError(`norm: argument 'p' must be a positive number, Infinity or -Infinity, got ${describe(p)}`);
  const dims = normalizeDims(dim, x.ndim, 'norm');
  const xf = isFloatDType(x.dtype) ? x : toDtype(x, 'float32');
  return runN(Norm, [xf, p, dims, checkBool(keepdim, 'norm', 'keepdim')]) as Tensor;
}

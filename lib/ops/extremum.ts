// The shared body of max and min: over all elements (0-d result; the gradient is shared evenly
// among tied extremes, as PyTorch), or along one dim ({ values, indices }; the gradient goes to the
// index that was picked). MaxAll/MaxDim and MinAll/MinDim (max.ts, min.ts) only set `which`.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { extremeAlongDim, oneHotAlong, reduce, tieMask } from '../kernels/reduce.js';
import { describe, normalizeDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { div, mul } from './elementwise.js';
import { expandReduced } from './sum.js';
import { REDUCE_KEYWORDS, checkBool, checkTensorArg, keywordArgs, runN } from './util.js';

type Which = 'max' | 'min';

/** What ExtremumAll keeps for backward besides saved tensors. */
type ExtremumAllCtx = FunctionCtx<{ mask: Tensor; ties: Tensor }>;
/** What ExtremumDim keeps for backward besides saved tensors. */
type ExtremumDimCtx = FunctionCtx<{ mask: Tensor; dim: number; keepdim: boolean }>;

export abstract class ExtremumAll extends Function {
  static which: Which;
  static override forward(this: typeof ExtremumAll, x: Tensor): Tensor {
    if (x.size === 0)
      throw new RangeError(
        `${this.which}: cannot take the ${this.which === 'max' ? 'maximum' : 'minimum'} of an empty tensor; give a dim`,
      );
    return reduce(
      this.which,
      x,
      x.shape.map((_, i) => i),
      false,
    );
  }
  static override setupContext(ctx: ExtremumAllCtx, [x]: [Tensor], out: Tensor): void {
    // The tie mask is a constant of the forward values, computed now so backward needs no saved x. Mask
    // and count are kernels' results (tensors, not JS numbers), so that tg.compile recomputes them.
    const mask = tieMask(x, out);
    const ties = reduce(
      'sum',
      mask,
      x.shape.map((_, i) => i),
      false,
    );
    ctx.saved = { mask, ties };
  }
  static override backward(ctx: ExtremumAllCtx, g: Tensor): Tensor {
    return div(mul(ctx.saved.mask, g), ctx.saved.ties);
  }
}

export abstract class ExtremumDim extends Function {
  static which: Which;
  static override forward(this: typeof ExtremumDim, x: Tensor, dim: number, keepdim: boolean): Tensor[] {
    const { values, indices } = extremeAlongDim(this.which, x, dim, keepdim);
    return [values, indices];
  }
  static override setupContext(
    ctx: ExtremumDimCtx,
    [x, dim, keepdim]: [Tensor, number, boolean],
    [, indices]: Tensor[],
  ): void {
    ctx.markNonDifferentiable(indices);
    // One-hot of the picked index along dim: a constant mask the size of x.
    ctx.saved = { mask: oneHotAlong(indices, x.shape, dim, x.dtype), dim, keepdim };
  }
  static override backward(ctx: ExtremumDimCtx, g: Tensor): [Tensor, null, null] {
    const spread = expandReduced(g, ctx.inputShapes[0]!, [ctx.saved.dim], ctx.saved.keepdim);
    return [mul(spread, ctx.saved.mask), null, null];
  }
}

/** The public max/min: 0-d over everything without dim, { values, indices } along dim. */
export function extremum(
  all: typeof ExtremumAll,
  along: typeof ExtremumDim,
  x: Tensor,
  dim: unknown,
  keepdim: unknown,
): Tensor | { values: Tensor; indices: Tensor } {
  const op = all.which;
  [dim, keepdim] = keywordArgs(op, REDUCE_KEYWORDS, [dim, keepdim]);
  const keep = checkBool(keepdim, op, 'keepdim');
  x = checkTensorArg(x, op, 'x');
  if (dim === undefined || dim === null) return runN(all, [x]) as Tensor;
  if (typeof dim !== 'number') throw new TypeError(`${op}: argument 'dim' must be a number, got ${describe(dim)}`);
  const d = normalizeDim(dim, x.ndim, op);
  if (x.ndim === 0) return { values: x, indices: Tensor._wrap(new Int32Array(1), [], 'int32') };
  const [values, indices] = runN(along, [x, d, keep]) as Tensor[];
  return { values, indices };
}

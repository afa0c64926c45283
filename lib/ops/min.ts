// min: min() is the 0-d minimum (its gradient is shared evenly among tied minima, as PyTorch);
// min(dim, keepdim) gives { values, indices } (the gradient goes to the index that was picked).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { allocate } from '../dtype.js';
import { extremeAlongDim, reduce } from '../kernels/reduce.js';
import { normalizeDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { div } from './div.js';
import { mul } from './mul.js';
import { expandReduced } from './sum.js';
import { checkBool, checkTensorArg, runN } from './util.js';

export class MinAll extends Function {
  static override forward(x: Tensor): Tensor {
    if (x.size === 0) throw new RangeError('min: cannot take the minimum of an empty tensor; give a dim');
    return reduce('min', x, x.shape.map((_, i) => i), false);
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor], out: Tensor): void {
    // The tie mask is a constant of the forward values, computed now so backward needs no saved x.
    const m = out.data[0];
    const mask = allocate(x.dtype, x.size);
    let ties = 0;
    for (let i = 0; i < x.size; i++) if (x.data[i] === m || (m !== m && x.data[i] !== x.data[i])) { mask[i] = 1; ties++; }
    ctx.mask = new Tensor(mask, x.shape, x.dtype);
    ctx.ties = ties;
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    return div(mul(ctx.mask as Tensor, g), ctx.ties as number);
  }
}

export class MinDim extends Function {
  static override forward(x: Tensor, dim: number, keepdim: boolean): Tensor[] {
    const { values, indices } = extremeAlongDim('min', x, dim, keepdim);
    return [values, indices];
  }
  static override setupContext(ctx: FunctionCtx, [x, dim, keepdim]: [Tensor, number, boolean], [, indices]: Tensor[]): void {
    ctx.markNonDifferentiable(indices);
    // One-hot of the picked index along dim: a constant mask the size of x.
    const shape = x.shape;
    const n = shape[dim];
    let inner = 1;
    for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
    const mask = allocate(x.dtype, x.size);
    const idx = indices.data;
    for (let k = 0; k < idx.length; k++) {
      const o = Math.floor(k / inner), j = k % inner;
      mask[o * n * inner + idx[k] * inner + j] = 1;
    }
    ctx.mask = new Tensor(mask, shape, x.dtype);
    ctx.dim = dim;
    ctx.keepdim = keepdim;
  }
  static override backward(ctx: FunctionCtx, g: Tensor): [Tensor, null, null] {
    const spread = expandReduced(g, ctx._inputShapes[0]!, [ctx.dim as number], ctx.keepdim as boolean);
    return [mul(spread, ctx.mask as Tensor), null, null];
  }
}

/** min(x): the 0-d minimum. min(x, dim, keepdim): { values, indices } along dim (indices int32). */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
  checkTensorArg(x, 'min', 'x');
  if (dim === undefined || dim === null) return runN(MinAll, [x]) as Tensor;
  if (typeof dim !== 'number') throw new TypeError(`min: argument 'dim' must be a number, got ${typeof dim}`);
  const d = normalizeDim(dim, x.ndim, 'min');
  if (x.ndim === 0) return { values: x, indices: new Tensor(new Int32Array(1), [], 'int32') };
  const [values, indices] = runN(MinDim, [x, d, checkBool(keepdim, 'min', 'keepdim')]) as Tensor[];
  return { values, indices };
}

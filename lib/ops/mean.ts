// mean over dims (all by default), keepdim optional. d/dx = g / count, broadcast back.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { reduce } from '../kernels/reduce.js';
import { normalizeDims } from '../shape.js';
import type { Tensor, Dims } from '../tensor.js';
import { div } from './elementwise.js';
import { expandReduced } from './sum.js';
import {
  type KeepdimOption,
  REDUCE_KEYWORDS,
  type ReduceOptions,
  checkBool,
  checkTensorArg,
  keywordArgs,
  runN,
} from './util.js';

/** What Mean keeps for backward besides saved tensors. */
type MeanCtx = FunctionCtx<{ dims: number[]; keepdim: boolean; count: number }>;

export class Mean extends Function {
  static override forward(x: Tensor, dims: number[], keepdim: boolean): Tensor {
    return reduce('mean', x, dims, keepdim);
  }
  static override setupContext(ctx: MeanCtx, [x, dims, keepdim]: [Tensor, number[], boolean]): void {
    ctx.saved = { dims, keepdim, count: dims.reduce((n, d) => n * x.shape[d], 1) };
  }
  static override backward(ctx: MeanCtx, g: Tensor): [Tensor, null, null] {
    const spread = expandReduced(g, ctx.inputShapes[0]!, ctx.saved.dims, ctx.saved.keepdim);
    return [div(spread, ctx.saved.count), null, null];
  }
}

/** Mean over dim (a number or an array; all dims when omitted or null). Integer inputs give float32. */
export function mean(x: Tensor, dim?: Dims | null | ReduceOptions, keepdim?: boolean | KeepdimOption): Tensor {
  [dim, keepdim] = keywordArgs('mean', REDUCE_KEYWORDS, [dim, keepdim]) as [
    Dims | null | undefined,
    boolean | undefined,
  ];
  x = checkTensorArg(x, 'mean', 'x');
  const dims = normalizeDims(dim, x.ndim, 'mean');
  return runN(Mean, [x, dims, checkBool(keepdim, 'mean', 'keepdim')]) as Tensor;
}

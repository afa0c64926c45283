// sum over dims (all by default), keepdim optional. d/dx = the gradient broadcast back over the summed dims.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { reduce, reducedShape } from '../kernels/reduce.js';
import { normalizeDims } from '../shape.js';
import type { Tensor, Dims } from '../tensor.js';
// biome-ignore lint/suspicious/noImportCycles: op/adjoint pair: sum's backward expands, expand's sums back (used only inside calls)
import { expand } from './expand.js';
import { reshape } from './reshape.js';
import {
  type KeepdimOption,
  REDUCE_KEYWORDS,
  type ReduceOptions,
  checkBool,
  checkTensorArg,
  keywordArgs,
  runN,
} from './util.js';

/** What Sum keeps for backward besides saved tensors. */
type SumCtx = FunctionCtx<{ dims: number[]; keepdim: boolean }>;

export class Sum extends Function {
  static override forward(x: Tensor, dims: number[], keepdim: boolean): Tensor {
    return reduce('sum', x, dims, keepdim);
  }
  static override setupContext(ctx: SumCtx, [, dims, keepdim]: [Tensor, number[], boolean]): void {
    ctx.saved = { dims, keepdim };
  }
  static override backward(ctx: SumCtx, g: Tensor): [Tensor, null, null] {
    return [expandReduced(g, ctx.inputShapes[0]!, ctx.saved.dims, ctx.saved.keepdim), null, null];
  }
}

/** Broadcasts a reduction's gradient g back to the input shape (re-inserting the reduced dims first). */
export function expandReduced(g: Tensor, inputShape: readonly number[], dims: number[], keepdim: boolean): Tensor {
  const kept = keepdim ? g : reshape(g, reducedShape(inputShape, dims, true));
  return expand(kept, inputShape as number[]);
}

/** Sum over dim (a number or an array; all dims when omitted or null), keeping them as size 1 if keepdim. */
export function sum(x: Tensor, dim?: Dims | null | ReduceOptions, keepdim?: boolean | KeepdimOption): Tensor {
  [dim, keepdim] = keywordArgs('sum', REDUCE_KEYWORDS, [dim, keepdim]) as [
    Dims | null | undefined,
    boolean | undefined,
  ];
  x = checkTensorArg(x, 'sum', 'x');
  const dims = normalizeDims(dim, x.ndim, 'sum');
  return runN(Sum, [x, dims, checkBool(keepdim, 'sum', 'keepdim')]) as Tensor;
}

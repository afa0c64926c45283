// indexSelect: picks entries of x along dim by an int32 index. d/dx = g added into zeros of x's
// shape at the indexed positions (IndexSelectBackward, itself differentiable: its gradient is
// indexSelect again), so repeated indices accumulate.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { checkIndices, indexAddAlong, indexSelectAlong } from '../kernels/indexing.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { indexDim, indexTensor } from './index_arg.js';
import { checkTensorArg, runN } from './util.js';

/** What IndexSelect keeps for backward besides saved tensors. */
type IndexSelectCtx = FunctionCtx<{ dim: number }>;

export class IndexSelect extends Function {
  static override forward(x: Tensor, dim: number, index: Tensor): Tensor {
    return indexSelectAlong(x, dim, index.data as Int32Array);
  }
  static override setupContext(ctx: IndexSelectCtx, [, dim, index]: [Tensor, number, Tensor]): void {
    ctx.saveForBackward(index); // saved so an in-place change to index is caught
    ctx.saved = { dim };
  }
  static override backward(ctx: IndexSelectCtx, g: Tensor): [Tensor, null, null] {
    const [index] = ctx.savedTensors;
    return [runN(IndexSelectBackward, [g, ctx.inputShapes[0], ctx.saved.dim, index]) as Tensor, null, null];
  }
}

/** Zeros of `shape` with g's entries along dim added at index; its gradient is indexSelect(gg, dim, index). */
export class IndexSelectBackward extends Function {
  static override forward(g: Tensor, shape: number[], dim: number, index: Tensor): Tensor {
    return indexAddAlong(g, shape, dim, index.data as Int32Array);
  }
  static override setupContext(ctx: IndexSelectCtx, [, , dim, index]: [Tensor, number[], number, Tensor]): void {
    ctx.saveForBackward(index);
    ctx.saved = { dim };
  }
  static override backward(ctx: IndexSelectCtx, gg: Tensor): [Tensor, null, null, null] {
    const [index] = ctx.savedTensors;
    return [runN(IndexSelect, [gg, ctx.saved.dim, index]) as Tensor, null, null, null];
  }
}

/**
 * The entries of x at `index` along dim: result.shape = x.shape with shape[dim] = index.length.
 * index is a 1-D int32 tensor (or an array of integers) with values in 0..x.shape[dim]-1.
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor | number[]): Tensor {
  x = checkTensorArg(x, 'indexSelect', 'x');
  if (x.ndim === 0) throw new RangeError("indexSelect: argument 'x' must have at least one dim, got a 0-d tensor");
  const d = indexDim(x, dim, 'indexSelect');
  const idx = indexTensor(index, 'indexSelect', true);
  if (idx.ndim !== 1)
    throw new RangeError(`indexSelect: argument 'index' must be 1-D, got shape ${formatShape(idx.shape)}`);
  checkIndices(idx.data, x.shape[d], 'indexSelect', d);
  return runN(IndexSelect, [x, d, idx]) as Tensor;
}

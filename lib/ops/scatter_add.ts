// scatterAdd: out = x with src[i][j][k] added at out[i][index[i][j][k]][k] (for dim 1).
// d/dx = g; d/dsrc = gather(g, dim, index).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { scatterAddAlong } from '../kernels/indexing.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
// biome-ignore lint/suspicious/noImportCycles: op/adjoint pair: scatterAdd's backward gathers, gather's scatters (used only inside calls)
import { gather } from './gather.js';
import { checkIndexShape, indexDim, indexTensor } from './index_arg.js';
import { slice } from './slice.js';
import { checkTensorArg, runN } from './util.js';

/** What ScatterAdd keeps for backward besides saved tensors. */
type ScatterAddCtx = FunctionCtx<{ dim: number }>;

export class ScatterAdd extends Function {
  /** src has index's shape here (the public scatterAdd trims a larger src first). */
  static override forward(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
    return scatterAddAlong(x, dim, index, src);
  }
  static override setupContext(ctx: ScatterAddCtx, [, dim, index]: [Tensor, number, Tensor, Tensor]): void {
    ctx.saveForBackward(index);
    ctx.saved = { dim };
  }
  static override backward(ctx: ScatterAddCtx, g: Tensor): [Tensor | null, null, null, Tensor | null] {
    const [index] = ctx.savedTensors;
    return [
      ctx.needsInputGrad[0] ? g : null,
      null,
      null,
      ctx.needsInputGrad[3] ? gather(g, ctx.saved.dim, index) : null,
    ];
  }
}

/**
 * A copy of x with src's entries added at index along dim: out[…index[p]…] += src[p] for every
 * position p of index (an int32 tensor of x's rank, no larger than src in any dim nor than x in the
 * dims other than dim). src has x's dtype and rank; only its index-shaped leading block is used.
 * Differentiable in x and src.
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  x = checkTensorArg(x, 'scatterAdd', 'x');
  const d = indexDim(x, dim, 'scatterAdd');
  const idx = indexTensor(index, 'scatterAdd', false);
  src = checkTensorArg(src, 'scatterAdd', 'src');
  if (src.dtype !== x.dtype)
    throw new TypeError(`scatterAdd: argument 'src' must have the dtype of x (${x.dtype}), got ${src.dtype}`);
  if (src.ndim !== x.ndim)
    throw new RangeError(
      `scatterAdd: argument 'src' must have the rank of x (${x.ndim}), got shape ${formatShape(src.shape)}`,
    );
  if (idx.shape.length === src.ndim && idx.shape.some((s, k) => s > src.shape[k]))
    throw new RangeError(
      `scatterAdd: argument 'index' of shape ${formatShape(idx.shape)} is larger than src ${formatShape(src.shape)}`,
    );
  checkIndexShape(x, idx, d, 'scatterAdd');
  // Only the index-shaped block of src is added; trimming it here (differentiably) keeps the
  // Function's src and index the same shape, so its gradient is a plain gather.
  let used = src;
  for (let k = 0; k < src.ndim; k++) if (idx.shape[k] < src.shape[k]) used = slice(used, k, 0, idx.shape[k]);
  return runN(ScatterAdd, [x, d, idx, used]) as Tensor;
}

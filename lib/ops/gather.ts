// gather: out[i][j][k] = x[i][index[i][j][k]][k] (for dim 1). d/dx = scatterAdd of g into zeros of
// x's shape at index (whose own gradient in g is gather again).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { allocate } from '../dtype.js';
import { gatherAlong } from '../kernels/indexing.js';
import { sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkIndexShape, indexDim, indexTensor } from './index_arg.js';
// biome-ignore lint/suspicious/noImportCycles: op/adjoint pair: gather's backward scatters, scatterAdd's gathers (used only inside calls)
import { ScatterAdd } from './scatter_add.js';
import { checkTensorArg, runN } from './util.js';

/** What Gather keeps for backward besides saved tensors. */
type GatherCtx = FunctionCtx<{ dim: number }>;

export class Gather extends Function {
  static override forward(x: Tensor, dim: number, index: Tensor): Tensor {
    return gatherAlong(x, dim, index);
  }
  static override setupContext(ctx: GatherCtx, [, dim, index]: [Tensor, number, Tensor]): void {
    ctx.saveForBackward(index);
    ctx.saved = { dim };
  }
  static override backward(ctx: GatherCtx, g: Tensor): [Tensor, null, null] {
    const [index] = ctx.savedTensors;
    const shape = ctx.inputShapes[0]!;
    const zeros = Tensor._wrap(allocate(g.dtype, sizeOf(shape)), shape, g.dtype);
    return [runN(ScatterAdd, [zeros, ctx.saved.dim, index, g]) as Tensor, null, null];
  }
}

/**
 * Entries of x picked along dim by index (an int32 tensor of x's rank, no larger than x in the other
 * dims, values in 0..x.shape[dim]-1): result.shape = index.shape.
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  x = checkTensorArg(x, 'gather', 'x');
  const d = indexDim(x, dim, 'gather');
  const idx = indexTensor(index, 'gather', false);
  checkIndexShape(x, idx, d, 'gather');
  return runN(Gather, [x, d, idx]) as Tensor;
}

// flatten: merges dims startDim..endDim into one. Shares storage like reshape. d/dx = g reshaped back.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { normalizeDim } from '../shape.js';
import { type Tensor, viewOf } from '../tensor.js';
import { reshape } from './reshape.js';
import { checkTensorArg, runN, keywordArgs } from './util.js';

export class Flatten extends Function {
  static override forward(x: Tensor, shape: number[]): Tensor {
    return viewOf(x, shape);
  }
  static override setupContext(): void {
    // The input shape is on the node.
  }
  static override backward(ctx: FunctionCtx, g: Tensor): [Tensor, null] {
    return [reshape(g, ctx.inputShapes[0]!), null];
  }
}

/** x with dims startDim..endDim (inclusive, negative counts from the end) merged into one; a 0-d x gives shape [1]. */
export function flatten(
  x: Tensor,
  startDim?: number | { startDim?: number; endDim?: number },
  endDim?: number | { endDim?: number },
): Tensor {
  x = checkTensorArg(x, 'flatten', 'x');
  [startDim = 0, endDim = -1] = keywordArgs('flatten', ['startDim', 'endDim'], [startDim, endDim]) as [
    number | undefined,
    number | undefined,
  ];
  const s = normalizeDim(startDim, x.ndim, 'flatten');
  const e = normalizeDim(endDim, x.ndim, 'flatten');
  if (x.ndim === 0) return runN(Flatten, [x, [1]]) as Tensor;
  if (s > e)
    throw new RangeError(
      `flatten: startDim ${startDim} must not come after endDim ${endDim} for a tensor of rank ${x.ndim}`,
    );
  if (s === e) return x;
  let merged = 1;
  for (let d = s; d <= e; d++) merged *= x.shape[d];
  const shape = [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)];
  return runN(Flatten, [x, shape]) as Tensor;
}

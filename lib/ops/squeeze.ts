// squeeze: removes size-1 dims (all of them, or those named). Shares storage like reshape.
// d/dx = g reshaped back.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { normalizeDims } from '../shape.js';
import { type Tensor, type Dims, viewOf } from '../tensor.js';
import { reshape } from './reshape.js';
import { checkTensorArg, runN, keywordArgs } from './util.js';

export class Squeeze extends Function {
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

/**
 * x without its size-1 dims: all of them when dim is omitted, else those among dim (a number or an
 * array). As in PyTorch, a named dim whose size is not 1 is left alone.
 */
export function squeeze(x: Tensor, dim?: Dims | null | { dim?: Dims | null }): Tensor {
  x = checkTensorArg(x, 'squeeze', 'x');
  [dim] = keywordArgs('squeeze', ['dim'], [dim]) as [Dims | null | undefined];
  const dims = normalizeDims(dim, x.ndim, 'squeeze');
  const shape: number[] = [];
  for (let d = 0; d < x.ndim; d++) if (x.shape[d] !== 1 || !dims.includes(d)) shape.push(x.shape[d]);
  if (shape.length === x.ndim) return x;
  return runN(Squeeze, [x, shape]) as Tensor;
}

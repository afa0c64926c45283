// unsqueeze: inserts a size-1 dim. Shares storage like reshape. d/dx = g reshaped back.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { describe } from '../shape.js';
import { type Tensor, viewOf } from '../tensor.js';
import { reshape } from './reshape.js';
import { checkTensorArg, runN, keywordArgs } from './util.js';

export class Unsqueeze extends Function {
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

/** x with a size-1 dim inserted at dim (-(ndim+1)..ndim; negative counts from the end of the result). */
export function unsqueeze(x: Tensor, dim: number | { dim: number }): Tensor {
  x = checkTensorArg(x, 'unsqueeze', 'x');
  [dim] = keywordArgs('unsqueeze', ['dim'], [dim]) as [number];
  if (typeof dim !== 'number') throw new TypeError(`unsqueeze: argument 'dim' must be a number, got ${describe(dim)}`);
  // The result has one more dim than x, so dim ranges over -(ndim+1)..ndim.
  const n = x.ndim;
  if (!Number.isInteger(dim)) throw new TypeError(`unsqueeze: dim must be an integer, got ${dim}`);
  if (dim < -(n + 1) || dim > n)
    throw new RangeError(
      `unsqueeze: dim ${dim} is out of range for a tensor of rank ${n} (expected ${-(n + 1)}..${n})`,
    );
  const d = dim < 0 ? dim + n + 1 : dim;
  const shape = x.shape.slice();
  shape.splice(d, 0, 1);
  return runN(Unsqueeze, [x, shape]) as Tensor;
}

// expand: broadcasts x to a larger shape (-1 keeps a dim). A copy. d/dx = g summed back to x's shape.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { broadcastCopy } from '../kernels/layout.js';
import { checkElementCount, describe, formatShape, formatValue, shapesEqual, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
// biome-ignore lint/suspicious/noImportCycles: op/adjoint pair: expand's backward sums back (sumTo), sum's backward expands (used only inside calls)
import { sumTo } from './sum_to.js';
import { checkTensorArg, runN } from './util.js';

export class Expand extends Function {
  static override forward(x: Tensor, shape: number[]): Tensor {
    return broadcastCopy(x, shape);
  }
  static override setupContext(): void {
    // The input shape is on the node.
  }
  static override backward(ctx: FunctionCtx, g: Tensor): [Tensor, null] {
    return [sumTo(g, ctx.inputShapes[0]!), null];
  }
}

/** x broadcast to shape; -1 keeps x's size in that dim. */
export function expand(x: Tensor, shape: number[]): Tensor {
  x = checkTensorArg(x, 'expand', 'x');
  if (!Array.isArray(shape))
    throw new TypeError(`expand: argument 'shape' must be an array of integers, got ${describe(shape)}`);
  const lead = shape.length - x.ndim;
  if (lead < 0)
    throw new RangeError(
      `expand: the target shape ${formatValue(shape)} has fewer dims than the tensor ${formatShape(x.shape)}`,
    );
  const target = shape.map((d, i) => {
    const own = i >= lead ? x.shape[i - lead] : 1;
    if (d === -1 && i >= lead) return own;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0)
      throw new TypeError(
        `expand: argument 'shape' must hold non-negative integers (or -1 for an existing dim), got ${formatValue(shape)}`,
      );
    if (own !== d && own !== 1)
      throw new RangeError(
        `expand: cannot expand shape ${formatShape(x.shape)} to ${formatShape(shape)} (dim ${i} is ${own}, not 1)`,
      );
    return d;
  });
  if (shapesEqual(target, x.shape)) return x;
  // A copy of ∏ target elements: refuse sizes no tensor may have before V8's allocator sees them.
  checkElementCount(sizeOf(target), 'expand', formatShape(target));
  return runN(Expand, [x, target]) as Tensor;
}

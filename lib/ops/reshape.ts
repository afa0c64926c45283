// reshape: same elements in a new shape (one entry may be -1). Shares storage. d/dx = g reshaped back.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { describe, formatShape, formatValue, shapesEqual, sizeOf } from '../shape.js';
import { type Tensor, viewOf } from '../tensor.js';
import { checkTensorArg, runN } from './util.js';

export class Reshape extends Function {
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

/** Resolves a -1 entry and checks the element count. */
export function resolveShape(x: Tensor, shape: unknown, op: string): number[] {
  if (!Array.isArray(shape))
    throw new TypeError(`${op}: argument 'shape' must be an array of integers, got ${describe(shape)}`);
  let infer = -1;
  let known = 1;
  const out = shape.slice() as number[];
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < -1)
      throw new TypeError(
        `${op}: argument 'shape' must hold non-negative integers and at most one -1, got ${formatValue(shape)}`,
      );
    if (d === -1) {
      if (infer >= 0) throw new RangeError(`${op}: only one dimension can be -1, got ${formatValue(shape)}`);
      infer = i;
    } else known *= d;
  }
  if (infer >= 0) {
    if (known === 0 || x.size % known !== 0)
      throw new RangeError(
        `${op}: shape ${formatValue(shape)} is invalid for a tensor of shape ${formatShape(x.shape)} (${x.size} elements)`,
      );
    out[infer] = x.size / known;
  }
  if (sizeOf(out) !== x.size)
    throw new RangeError(
      `${op}: shape ${formatShape(out)} is invalid for a tensor of shape ${formatShape(x.shape)} (${x.size} elements)`,
    );
  return out;
}

/**
 * reshape for an op's own fresh result, which no caller can reach: the result is not marked as a
 * view of it, so in-place ops on it are allowed as on any op output (matmul with a 1-D operand,
 * crossEntropy with reduction 'none').
 */
export function reshapeOwnResult(x: Tensor, shape: number[]): Tensor {
  const r = reshape(x, shape);
  if (r !== x) r._forgetBase();
  return r;
}

/** The same elements with a new shape (one entry may be -1). The result shares x's storage. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  x = checkTensorArg(x, 'reshape', 'x');
  const target = resolveShape(x, shape, 'reshape');
  if (shapesEqual(target, x.shape)) return x;
  return runN(Reshape, [x, target]) as Tensor;
}

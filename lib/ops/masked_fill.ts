// maskedFill: x with value wherever mask (broadcast to x's shape) is true. d/dx = g with zeros where filled.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { maskedFillKernel } from '../kernels/indexing.js';
import { broadcastShapes, describe, formatShape, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkTensorArg, runN } from './util.js';
import { checkMask } from './where.js';

export class MaskedFill extends Function {
  static override forward(x: Tensor, mask: Tensor, value: number): Tensor {
    return maskedFillKernel(x, mask, value);
  }
  static override setupContext(ctx: FunctionCtx, [, mask]: [Tensor, Tensor, number]): void {
    ctx.saveForBackward(mask);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): [Tensor, null, null] {
    const [mask] = ctx.savedTensors;
    return [runN(MaskedFill, [g, mask, 0]) as Tensor, null, null];
  }
}

/** A copy of x holding value wherever mask (bool or int32 0/1, broadcastable to x.shape) is true. */
export function maskedFill(x: Tensor, mask: Tensor, value: number | boolean): Tensor {
  x = checkTensorArg(x, 'maskedFill', 'x');
  const m = checkMask(mask, 'maskedFill', 'mask');
  let broadcast: number[] | null = null;
  try {
    broadcast = broadcastShapes(x.shape, m.shape, 'maskedFill');
  } catch {
    broadcast = null;
  }
  if (broadcast === null || !shapesEqual(broadcast, x.shape))
    throw new RangeError(
      `maskedFill: argument 'mask' of shape ${formatShape(m.shape)} cannot be broadcast to the shape of x, ${formatShape(x.shape)}`,
    );
  if (typeof value === 'boolean') value = value ? 1 : 0;
  if (typeof value !== 'number')
    throw new TypeError(`maskedFill: argument 'value' must be a number, got ${describe(value)}`);
  if (x.dtype === 'int32' && !Number.isInteger(value))
    throw new TypeError(`maskedFill: argument 'value' must be an integer to fill an int32 tensor, got ${value}`);
  if (x.dtype === 'bool' && value !== 0 && value !== 1)
    throw new TypeError(`maskedFill: argument 'value' must be true/false (or 0/1) to fill a bool tensor, got ${value}`);
  return runN(MaskedFill, [x, m, value]) as Tensor;
}

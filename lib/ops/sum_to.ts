// sumTo: sums a broadcast gradient back to an input's shape (the reverse of broadcasting).
import type { FunctionCtx } from '../autograd/function.js';
import { formatShape, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { reshape } from './reshape.js';
// biome-ignore lint/suspicious/noImportCycles: sumTo reduces with sum, whose backward expands (used only inside calls)
import { sum } from './sum.js';
import { toDtype } from './to_dtype.js';

/**
 * Sums x over the dims along which `shape` was broadcast to x.shape, giving a tensor of `shape`.
 * Composed of sum and reshape, so it is differentiable.
 */
export function sumTo(x: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  const lead = x.ndim - shape.length;
  if (lead < 0)
    throw new RangeError(`sumTo: cannot sum shape ${formatShape(x.shape)} to the larger rank of ${formatShape(shape)}`);
  const dims: number[] = [];
  for (let d = 0; d < x.ndim; d++) {
    if (d < lead) dims.push(d);
    else if (shape[d - lead] === 1 && x.shape[d] !== 1) dims.push(d);
    else if (shape[d - lead] !== x.shape[d])
      throw new RangeError(`sumTo: shape ${formatShape(shape)} is not a broadcast source of ${formatShape(x.shape)}`);
  }
  const summed = dims.length > 0 ? sum(x, dims, true) : x;
  return reshape(summed, shape as number[]);
}

/** The gradient for forward input i of ctx: g summed back to that input's shape and cast to its dtype. */
export function gradForInput(ctx: FunctionCtx<object>, i: number, g: Tensor): Tensor {
  const s = sumTo(g, ctx.inputShapes[i]!);
  const dtype = ctx.inputDtypes[i]!;
  return s.dtype === dtype ? s : toDtype(s, dtype);
}

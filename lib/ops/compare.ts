// Comparisons gt lt ge le eq ne: elementwise, broadcasting, a bool result (Uint8Array 0/1).
// Not differentiable: the result never requires grad.
import { compareKernel, type CompareName } from '../kernels/indexing.js';
import { broadcastShapes } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { checkOperand } from './util.js';

function compare(op: CompareName, a: TensorLike, b: TensorLike): Tensor {
  a = checkOperand(a, op, 'a');
  b = checkOperand(b, op, 'b');
  if (typeof a === 'number' && typeof b === 'number')
    throw new TypeError(`${op}: at least one of 'a' and 'b' must be a Tensor`);
  const shape =
    a instanceof Tensor && b instanceof Tensor
      ? broadcastShapes(a.shape, b.shape, op)
      : ((a instanceof Tensor ? a : b) as Tensor).shape;
  return compareKernel(op, a, b, shape as number[]);
}

/** a > b elementwise (broadcasting; either may be a number) as a bool tensor. */
export function gt(a: TensorLike, b: TensorLike): Tensor {
  return compare('gt', a, b);
}
/** a < b elementwise (broadcasting; either may be a number) as a bool tensor. */
export function lt(a: TensorLike, b: TensorLike): Tensor {
  return compare('lt', a, b);
}
/** a ≥ b elementwise (broadcasting; either may be a number) as a bool tensor. */
export function ge(a: TensorLike, b: TensorLike): Tensor {
  return compare('ge', a, b);
}
/** a ≤ b elementwise (broadcasting; either may be a number) as a bool tensor. */
export function le(a: TensorLike, b: TensorLike): Tensor {
  return compare('le', a, b);
}
/** a = b elementwise (broadcasting; either may be a number; NaN equals nothing) as a bool tensor. */
export function eq(a: TensorLike, b: TensorLike): Tensor {
  return compare('eq', a, b);
}
/** a ≠ b elementwise (broadcasting; either may be a number; NaN differs from everything) as a bool tensor. */
export function ne(a: TensorLike, b: TensorLike): Tensor {
  return compare('ne', a, b);
}

// argmax: the int32 index of the (first) maximum, along a dim or over the flattened tensor. A NaN counts
// as the maximum (as PyTorch). Not differentiable: the result is an integer tensor.
import { extremeAlongDim } from '../kernels/reduce.js';
import { describe, normalizeDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { REDUCE_KEYWORDS, checkBool, checkTensorArg, keywordArgs, type KeepdimOption } from './util.js';

/** @internal argmax's and argmin's body. */
export function argExtreme(which: 'max' | 'min', op: string, x: Tensor, dim: unknown, keepdim: unknown): Tensor {
  x = checkTensorArg(x, op, 'x');
  [dim, keepdim] = keywordArgs(op, REDUCE_KEYWORDS, [dim, keepdim]);
  const keep = checkBool(keepdim, op, 'keepdim');
  if (dim === undefined || dim === null) {
    if (x.size === 0) throw new RangeError(`${op}: cannot take the ${op} of an empty tensor; give a dim`);
    const flat = Tensor._wrap(x.data, [x.size], x.dtype);
    const { indices } = extremeAlongDim(which, flat, 0, false);
    // keepdim without a dim keeps every dim as size 1 (as PyTorch 2).
    return keep
      ? Tensor._wrap(
          indices.data,
          x.shape.map(() => 1),
          'int32',
        )
      : indices;
  }
  if (typeof dim !== 'number') throw new TypeError(`${op}: argument 'dim' must be a number, got ${describe(dim)}`);
  const d = normalizeDim(dim, x.ndim, op);
  if (x.ndim === 0) return Tensor._wrap(new Int32Array(1), [], 'int32');
  if (x.shape[d] === 0)
    throw new RangeError(`${op}: cannot reduce over dim ${d} of size 0 (shape [${x.shape.join(', ')}])`);
  return extremeAlongDim(which, x, d, keep).indices;
}

/** Index (int32) of the first maximum along dim, or in the flattened tensor when dim is omitted. */
export function argmax(
  x: Tensor,
  dim?: number | null | { dim?: number | null; keepdim?: boolean },
  keepdim?: boolean | KeepdimOption,
): Tensor {
  return argExtreme('max', 'argmax', x, dim, keepdim);
}

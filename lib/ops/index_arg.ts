// Argument checks shared by indexSelect, gather and scatterAdd: the index tensor and its values.
import { checkIndices } from '../kernels/indexing.js';
import { describe, formatShape, normalizeDim } from '../shape.js';
import { Tensor, checkStorage } from '../tensor.js';

/** An int32 index tensor; for allowArray, a plain array of integers is converted to a 1-D one. */
export function indexTensor(index: unknown, op: string, allowArray: boolean): Tensor {
  if (allowArray && Array.isArray(index)) {
    const data = new Int32Array(index.length);
    index.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647)
        throw new TypeError(`${op}: argument 'index' must hold integers, got ${describe(v)} at position ${i}`);
      data[i] = v;
    });
    return Tensor._wrap(data, [index.length], 'int32');
  }
  if (!(index instanceof Tensor))
    throw new TypeError(
      `${op}: argument 'index' must be an int32 Tensor${allowArray ? ' or an array of integers' : ''}, got ${describe(index)}`,
    );
  if (index.dtype !== 'int32')
    throw new TypeError(`${op}: argument 'index' must be an int32 Tensor, got dtype ${index.dtype}`);
  if (index.data.length === 0) checkStorage(index, op, "argument 'index'");
  return index;
}

/** The normalised dim of x for an indexing op (a 0-d x has one implicit dim of size 1). */
export function indexDim(x: Tensor, dim: unknown, op: string): number {
  if (typeof dim !== 'number') throw new TypeError(`${op}: argument 'dim' must be a number, got ${describe(dim)}`);
  return normalizeDim(dim, x.ndim, op);
}

/** gather/scatterAdd: index has x's rank and does not exceed x's size in any dim but dim. */
export function checkIndexShape(x: Tensor, index: Tensor, dim: number, op: string): void {
  if (index.ndim !== x.ndim)
    throw new RangeError(
      `${op}: argument 'index' must have the rank of x (${x.ndim}), got shape ${formatShape(index.shape)}`,
    );
  for (let d = 0; d < x.ndim; d++)
    if (d !== dim && index.shape[d] > x.shape[d])
      throw new RangeError(
        `${op}: argument 'index' of shape ${formatShape(index.shape)} is larger than x ${formatShape(x.shape)} in dim ${d} (only dim ${dim} may differ)`,
      );
  checkIndices(index.data, x.ndim === 0 ? 1 : x.shape[dim], op, dim);
}

// Layout kernels: permuted and broadcast copies into fresh contiguous storage.
import { recorder } from '../compile/state.js';
import { allocate, allocateUninitialized } from '../dtype.js';
import { broadcastStrides, contiguousStrides, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';

/** Copies `src` read through element strides `strides` over `shape` into a new contiguous array. */
function stridedCopy(x: Tensor, shape: readonly number[], strides: readonly number[]): Tensor {
  const n = sizeOf(shape);
  const out = allocate(x.dtype, n);
  const src = x.data;
  const nd = shape.length;
  if (nd === 0 || n === 0) {
    if (n === 1) out[0] = src[0];
    return Tensor._wrap(out, shape, x.dtype);
  }
  const inner = shape[nd - 1];
  const si = strides[nd - 1];
  const idx = new Array<number>(nd).fill(0);
  let base = 0;
  for (let o = 0; o < n; o += inner) {
    if (si === 1) for (let j = 0; j < inner; j++) out[o + j] = src[base + j];
    else for (let j = 0; j < inner; j++) out[o + j] = src[base + j * si];
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      base += strides[d];
      if (idx[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return Tensor._wrap(out, shape, x.dtype);
}

/** x with its dims reordered: out.shape[i] = x.shape[perm[i]] (a copy). */
export function permuteCopy(x: Tensor, perm: readonly number[]): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('permuteCopy', permuteCopy, [x, perm]);
  const strides = contiguousStrides(x.shape);
  return stridedCopy(
    x,
    perm.map((p) => x.shape[p]),
    perm.map((p) => strides[p]),
  );
}

/** x broadcast to shape (a copy); x.shape must broadcast to shape. */
export function broadcastCopy(x: Tensor, shape: readonly number[]): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('broadcastCopy', broadcastCopy, [x, shape]);
  if (x.size === 1) {
    const out = allocateUninitialized(x.dtype, sizeOf(shape));
    out.fill(x.data[0]);
    return Tensor._wrap(out, shape, x.dtype);
  }
  return stridedCopy(x, shape, broadcastStrides(x.shape, shape));
}

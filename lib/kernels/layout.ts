// Layout kernels: permuted and broadcast copies into fresh contiguous storage.
import { recorder, type Recorder } from '../compile/state.js';
import { allocate, allocateUninitialized } from '../dtype.js';
import { native } from '../native.js';
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

const MUL = native.binaryOps.indexOf('mul');

/**
 * A float strided copy as tg.compile records it: the addon's strided binary kernel computing x·1,
 * which is x bit for bit, so a plan copies (transposes, broadcasts) natively and off the main thread.
 * Other dtypes are recorded as the JS copy.
 */
function recordStridedCopy(
  rec: Recorder,
  name: string,
  x: Tensor,
  shape: readonly number[],
  strides: readonly number[],
): Tensor {
  if (x.dtype !== 'float32' && x.dtype !== 'float64') return rec.jsKernel(name, stridedCopy, [x, shape, strides]);
  const out = allocateUninitialized(x.dtype, sizeOf(shape));
  const one = x.dtype === 'float32' ? Float32Array.of(1) : Float64Array.of(1);
  rec.nativeCall('binary', [MUL, x.data, strides.slice(), one, shape.map(() => 0), out, shape.slice()]);
  return Tensor._wrap(out, shape, x.dtype);
}

/** x with its dims reordered: out.shape[i] = x.shape[perm[i]] (a copy). */
export function permuteCopy(x: Tensor, perm: readonly number[]): Tensor {
  const strides = contiguousStrides(x.shape);
  const rec = recorder();
  if (rec !== null)
    return recordStridedCopy(
      rec,
      'permuteCopy',
      x,
      perm.map((p) => x.shape[p]),
      perm.map((p) => strides[p]),
    );
  return stridedCopy(
    x,
    perm.map((p) => x.shape[p]),
    perm.map((p) => strides[p]),
  );
}

/** x broadcast to shape (a copy); x.shape must broadcast to shape. */
export function broadcastCopy(x: Tensor, shape: readonly number[]): Tensor {
  const rec = recorder();
  if (rec !== null) return recordStridedCopy(rec, 'broadcastCopy', x, shape, broadcastStrides(x.shape, shape));
  if (x.size === 1) {
    const out = allocateUninitialized(x.dtype, sizeOf(shape));
    out.fill(x.data[0]);
    return Tensor._wrap(out, shape, x.dtype);
  }
  return stridedCopy(x, shape, broadcastStrides(x.shape, shape));
}

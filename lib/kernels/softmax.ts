// Softmax / log-softmax kernels without autograd, forward and backward, along one dim viewed as
// (outer, n, inner). Large tensors go to the fused native kernels (native/src/ops/softmax.cc); small
// ones run the same algorithm here in JS (max shift, double accumulation), so both paths agree.
import { recorder } from '../compile/state.js';
import { allocateUninitialized, type FloatArray } from '../dtype.js';
import { native } from '../native.js';
import { blocksAround, formatValue } from '../shape.js';
import { Tensor } from '../tensor.js';
import { SOFTMAX_NATIVE_MIN_ELEMENTS } from './routing.js';

/**
 * The kernels' preconditions, checked in O(1) because a bad dim makes blocksAround loop forever
 * (dim = Infinity) and a short gradient makes the JS loop read undefined: dim is an integer in
 * [0, max(ndim, 1)), and every operand holds as many elements as x. Callers (lib/ops/softmax.ts)
 * validate user input with friendlier messages first.
 */
function checkDimAndLength(x: Tensor, otherLength: number, dim: number, fn: string): void {
  if (!(Number.isInteger(dim) && dim >= 0 && dim < Math.max(x.shape.length, 1)))
    throw new RangeError(
      `${fn}: dim must be an integer in [0, ${Math.max(x.shape.length, 1)}), got ${formatValue(dim)}`,
    );
  if (otherLength !== x.data.length)
    throw new RangeError(`${fn}: operands have ${x.data.length} and ${otherLength} elements`);
}

function useNative(x: FloatArray): boolean {
  return x.length >= SOFTMAX_NATIVE_MIN_ELEMENTS;
}

/** softmax (log = false) or logSoftmax (log = true) of a float tensor x along dim. */
export function softmaxForward(x: Tensor, dim: number, log: boolean): Tensor {
  checkDimAndLength(x, x.data.length, dim, 'softmaxForward');
  const [outer, n, inner] = blocksAround(x.shape, dim);
  const xd = x.data as FloatArray;
  const y = allocateUninitialized(x.dtype, xd.length) as FloatArray; // every row is written
  const rec = recorder();
  if (rec !== null) {
    rec.nativeCall('softmax', [xd, y, outer, n, inner, log]);
    return Tensor._wrap(y, x.shape, x.dtype);
  }
  if (useNative(xd)) {
    native.softmax(xd, y, outer, n, inner, log);
    return Tensor._wrap(y, x.shape, x.dtype);
  }
  if (inner === 1) {
    softmaxRows(xd, y, outer, n, log);
    return Tensor._wrap(y, x.shape, x.dtype);
  }
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      const base = o * n * inner + j;
      let m = -Infinity;
      for (let i = 0; i < n; i++) {
        const v = xd[base + i * inner];
        if (m === m && (v > m || v !== v)) m = v; // a NaN, once seen, sticks
      }
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.exp(xd[base + i * inner] - m);
      if (log) {
        const ls = Math.log(s);
        for (let i = 0; i < n; i++) y[base + i * inner] = xd[base + i * inner] - m - ls;
      } else {
        const inv = 1 / s;
        for (let i = 0; i < n; i++) y[base + i * inner] = Math.exp(xd[base + i * inner] - m) * inv;
      }
    }
  return Tensor._wrap(y, x.shape, x.dtype);
}

/** The common case, contiguous rows (softmax over the last dim): exp is evaluated once per element. */
function softmaxRows(xd: FloatArray, y: FloatArray, rows: number, n: number, log: boolean): void {
  const e = new Float64Array(n);
  for (let r = 0, base = 0; r < rows; r++, base += n) {
    let m = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = xd[base + i];
      if (m === m && (v > m || v !== v)) m = v; // a NaN, once seen, sticks
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += e[i] = Math.exp(xd[base + i] - m);
    if (log) {
      const ls = Math.log(s);
      for (let i = 0; i < n; i++) y[base + i] = xd[base + i] - m - ls;
    } else {
      const inv = 1 / s;
      for (let i = 0; i < n; i++) y[base + i] = e[i] * inv;
    }
  }
}

/**
 * The input gradient from the forward output y and its gradient g (same shape and dtype):
 * softmax dx = y ⊙ (g − Σ g⊙y), logSoftmax dx = g − exp(y) ⊙ Σ g, sums along dim.
 */
export function softmaxBackwardKernel(y: Tensor, g: Tensor, dim: number, log: boolean): Tensor {
  checkDimAndLength(y, g.data.length, dim, 'softmaxBackwardKernel');
  const [outer, n, inner] = blocksAround(y.shape, dim);
  const yd = y.data as FloatArray,
    gd = g.data as FloatArray;
  const dx = allocateUninitialized(y.dtype, yd.length) as FloatArray; // every row is written
  const rec = recorder();
  if (rec !== null) {
    rec.nativeCall('softmaxBackward', [yd, gd, dx, outer, n, inner, log]);
    return Tensor._wrap(dx, y.shape, y.dtype);
  }
  if (useNative(yd)) {
    native.softmaxBackward(yd, gd, dx, outer, n, inner, log);
    return Tensor._wrap(dx, y.shape, y.dtype);
  }
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      const base = o * n * inner + j;
      let acc = 0;
      if (log) {
        for (let i = 0; i < n; i++) acc += gd[base + i * inner];
        for (let i = 0; i < n; i++) {
          const k = base + i * inner;
          dx[k] = gd[k] - Math.exp(yd[k]) * acc;
        }
      } else {
        for (let i = 0; i < n; i++) acc += gd[base + i * inner] * yd[base + i * inner];
        for (let i = 0; i < n; i++) {
          const k = base + i * inner;
          dx[k] = yd[k] * (gd[k] - acc);
        }
      }
    }
  return Tensor._wrap(dx, y.shape, y.dtype);
}

// Reduction kernels without autograd: sum, mean, max, min, prod over a set of dims, and max/min
// along one dim with indices. JS loops for small tensors, the native kernels for large ones.
import { recorder } from '../compile/state.js';
import { allocate, floatResult, type DType, type FloatArray } from '../dtype.js';
import { native } from '../native.js';
import { sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { ELEMENTWISE_NATIVE_MIN_ELEMENTS } from './routing.js';

export type ReduceName = 'sum' | 'mean' | 'max' | 'min' | 'prod';

const nativeReduce = new Map<string, number>();
native.reduceOps.forEach((name, i) => {
  nativeReduce.set(name, i);
});

/** The shape after reducing dims (sorted, unique, in range), with or without the reduced dims kept as 1. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let d = 0, j = 0; d < shape.length; d++) {
    if (j < dims.length && dims[j] === d) {
      j++;
      if (keepdim) out.push(1);
    } else out.push(shape[d]);
  }
  return out;
}

function resultDtype(name: ReduceName, d: DType): DType {
  if (name === 'mean') return floatResult(d);
  if (d === 'bool') return name === 'max' || name === 'min' ? 'bool' : 'int32';
  return d;
}

/** Reduces x over dims (sorted, unique, normalised); a new tensor, no autograd. */
export function reduce(name: ReduceName, x: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  const shape = x.shape;
  const outShape = reducedShape(shape, dims, keepdim);
  const dtype = resultDtype(name, x.dtype);
  const outSize = sizeOf(outShape);
  const xd = x.data;
  const nativeKind =
    nativeReduce.has(name) && (xd instanceof Float32Array || xd instanceof Float64Array) && dtype === x.dtype;
  // While tg.compile records, float reductions take the native kernel at every size; others are JS kernels.
  const rec = recorder();
  if (rec !== null && !nativeKind) return rec.jsKernel('reduce', reduce, [name, x, dims, keepdim]);
  const out = allocate(dtype, outSize);
  if (rec !== null) {
    rec.nativeCall('reduce', [nativeReduce.get(name)!, xd, shape.slice(), dims.slice(), out]);
    return Tensor._wrap(out, outShape, dtype);
  }
  if (xd.length >= ELEMENTWISE_NATIVE_MIN_ELEMENTS && nativeKind) {
    native.reduce(nativeReduce.get(name)!, xd as FloatArray, shape as number[], dims as number[], out as FloatArray);
    return Tensor._wrap(out, outShape, dtype);
  }
  // Reduced elements per output, and the (outer, reduced, inner) split when the dims are one run.
  let count = 1;
  for (const d of dims) count *= shape[d];
  const acc = new Float64Array(outSize);
  const init = name === 'max' ? -Infinity : name === 'min' ? Infinity : name === 'prod' ? 1 : 0;
  if (init !== 0) acc.fill(init);
  const contiguousRun = dims.length > 0 && dims[dims.length - 1] - dims[0] === dims.length - 1;
  if (contiguousRun || dims.length === 0) {
    let outer = 1,
      inner = 1;
    if (dims.length > 0) {
      for (let d = 0; d < dims[0]; d++) outer *= shape[d];
      for (let d = dims[dims.length - 1] + 1; d < shape.length; d++) inner *= shape[d];
    } else inner = xd.length;
    for (let o = 0; o < outer; o++) {
      const base = o * count * inner;
      const ob = o * inner;
      if (inner === 1) acc[ob] = reduceRun(name, xd, base, 1, count, acc[ob]);
      else
        for (let r = 0; r < count; r++) {
          const rb = base + r * inner;
          combineRow(name, acc, ob, xd, rb, inner);
        }
    }
  } else {
    // General set of dims: walk x in order with an odometer that tracks the output index.
    const nd = shape.length;
    const outStride = new Array<number>(nd).fill(0);
    for (let d = nd - 1, s = 1, j = dims.length - 1; d >= 0; d--) {
      if (j >= 0 && dims[j] === d) j--;
      else {
        outStride[d] = s;
        s *= shape[d];
      }
    }
    const idx = new Array<number>(nd).fill(0);
    const innerLen = shape[nd - 1];
    const innerStride = outStride[nd - 1];
    let oi = 0;
    for (let i = 0; i < xd.length; i += innerLen) {
      if (innerStride === 0) acc[oi] = reduceRun(name, xd, i, 1, innerLen, acc[oi]);
      else combineRow(name, acc, oi, xd, i, innerLen);
      for (let d = nd - 2; d >= 0; d--) {
        idx[d]++;
        oi += outStride[d];
        if (idx[d] < shape[d]) break;
        oi -= outStride[d] * shape[d];
        idx[d] = 0;
      }
    }
  }
  if (name === 'mean') for (let i = 0; i < outSize; i++) out[i] = acc[i] / count;
  else out.set(acc);
  return Tensor._wrap(out, outShape, dtype);
}

/** Folds n elements x[base + i·stride] into start. Max/min propagate NaN. */
function reduceRun(
  name: ReduceName,
  x: ArrayLike<number>,
  base: number,
  stride: number,
  n: number,
  start: number,
): number {
  let r = start;
  switch (name) {
    case 'sum':
    case 'mean':
      for (let i = 0; i < n; i++) r += x[base + i * stride];
      return r;
    case 'prod':
      for (let i = 0; i < n; i++) r *= x[base + i * stride];
      return r;
    case 'max':
      for (let i = 0; i < n; i++) {
        const v = x[base + i * stride];
        if (v > r || v !== v) r = v;
        if (r !== r) return r;
      }
      return r;
    case 'min':
      for (let i = 0; i < n; i++) {
        const v = x[base + i * stride];
        if (v < r || v !== v) r = v;
        if (r !== r) return r;
      }
      return r;
  }
}

/** acc[ob + i] ∘= x[xb + i] for i < n. */
function combineRow(
  name: ReduceName,
  acc: Float64Array,
  ob: number,
  x: ArrayLike<number>,
  xb: number,
  n: number,
): void {
  switch (name) {
    case 'sum':
    case 'mean':
      for (let i = 0; i < n; i++) acc[ob + i] += x[xb + i];
      return;
    case 'prod':
      for (let i = 0; i < n; i++) acc[ob + i] *= x[xb + i];
      return;
    case 'max':
      for (let i = 0; i < n; i++) {
        const v = x[xb + i],
          a = acc[ob + i];
        if (v > a || v !== v) acc[ob + i] = a !== a ? a : v;
      }
      return;
    case 'min':
      for (let i = 0; i < n; i++) {
        const v = x[xb + i],
          a = acc[ob + i];
        if (v < a || v !== v) acc[ob + i] = a !== a ? a : v;
      }
      return;
  }
}

/** Max or min along one dim: values (x's dtype) and the int32 index of the first extreme (NaN wins). */
export function extremeAlongDim(
  which: 'max' | 'min',
  x: Tensor,
  dim: number,
  keepdim: boolean,
): { values: Tensor; indices: Tensor } {
  const rec = recorder();
  if (rec !== null) {
    // Recorded as two JS kernels over the same loop (a kernel returns one tensor).
    const values = rec.jsKernel('extremeValues', extremeValues, [which, x, dim, keepdim]);
    const indices = rec.jsKernel('extremeIndices', extremeIndices, [which, x, dim, keepdim]);
    return { values, indices };
  }
  const shape = x.shape;
  const n = shape[dim];
  if (n === 0) throw new RangeError(`${which}: cannot reduce over dim ${dim} of size 0 (shape [${shape.join(', ')}])`);
  let outer = 1,
    inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d];
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  const outShape = reducedShape(shape, [dim], keepdim);
  const values = allocate(x.dtype, outer * inner);
  const indices = new Int32Array(outer * inner);
  const xd = x.data;
  const isMax = which === 'max';
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      const base = o * n * inner + j;
      let best = xd[base],
        bestAt = 0;
      for (let r = 1; r < n && best === best; r++) {
        const v = xd[base + r * inner];
        if (v !== v || (isMax ? v > best : v < best)) {
          best = v;
          bestAt = r;
        }
      }
      values[o * inner + j] = best;
      indices[o * inner + j] = bestAt;
    }
  return { values: Tensor._wrap(values, outShape, x.dtype), indices: Tensor._wrap(indices, outShape, 'int32') };
}

/** Sets ±Infinity entries of t to 0 in place (logSumExp's shift); a kernel, so that tg.compile replays it. */
export function zeroInfinities(t: Tensor): void {
  const rec = recorder();
  if (rec !== null) {
    rec.jsKernelInPlace('zeroInfinities', zeroInfinities, [t], [t.data]);
    return;
  }
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (d[i] === Infinity || d[i] === -Infinity) d[i] = 0;
}

/**
 * The gradient mask of max()/min() over all elements: 1 where x equals m[0] (NaN matches NaN), else 0,
 * in x's dtype. A kernel, so that tg.compile recomputes it from the values of every replay.
 */
export function tieMask(x: Tensor, m: Tensor): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('tieMask', tieMask, [x, m]);
  const v = m.data[0];
  const xd = x.data;
  const mask = allocate(x.dtype, xd.length);
  for (let i = 0; i < xd.length; i++) if (xd[i] === v || (v !== v && xd[i] !== xd[i])) mask[i] = 1;
  return Tensor._wrap(mask, x.shape, x.dtype);
}

/**
 * The gradient mask of max(dim)/min(dim): 1 at the picked index along dim of every slice of a tensor
 * of `shape` (indices as extremeAlongDim gives them, keepdim or not), else 0, in dtype. A kernel (see tieMask).
 */
export function oneHotAlong(indices: Tensor, shape: readonly number[], dim: number, dtype: DType): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('oneHotAlong', oneHotAlong, [indices, shape, dim, dtype]);
  const n = shape[dim];
  let inner = 1;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  const mask = allocate(dtype, sizeOf(shape));
  const idx = indices.data;
  for (let k = 0; k < idx.length; k++) {
    const o = Math.floor(k / inner),
      j = k % inner;
    mask[o * n * inner + idx[k] * inner + j] = 1;
  }
  return Tensor._wrap(mask, shape.slice(), dtype);
}

function extremeValues(which: 'max' | 'min', x: Tensor, dim: number, keepdim: boolean): Tensor {
  return extremeAlongDim(which, x, dim, keepdim).values;
}

function extremeIndices(which: 'max' | 'min', x: Tensor, dim: number, keepdim: boolean): Tensor {
  return extremeAlongDim(which, x, dim, keepdim).indices;
}

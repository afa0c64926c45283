// Copy and indexing kernels without autograd (cat, split, slice, indexSelect, gather, scatterAdd,
// where, maskedFill, comparisons). They are memory-bound copies, so plain JS loops serve every size;
// each works on flat offsets over (outer, dim, inner) blocks: outer = the product of the sizes before
// dim, inner = the product after it, so element (o, j, i) is at (o·n + j)·inner + i.
import { recorder } from '../compile/state.js';
import { allocate, type DType, type TypedArray } from '../dtype.js';
import { blocksAround, contiguousStrides, shapesEqual, sizeOf } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { broadcastCopy } from './layout.js';

/** Runs shorter than this are copied by a loop: making a subarray for TypedArray.set costs more. */
const SET_MIN = 48;

/** dst[d .. d+n) = src[s .. s+n). */
function copyRun(src: TypedArray, s: number, dst: TypedArray, d: number, n: number): void {
  if (n >= SET_MIN) dst.set(src.subarray(s, s + n), d);
  else for (let i = 0; i < n; i++) dst[d + i] = src[s + i];
}

/** dst[d .. d+n) += src[s .. s+n). */
function addRun(src: TypedArray, s: number, dst: TypedArray, d: number, n: number): void {
  for (let i = 0; i < n; i++) dst[d + i] += src[s + i];
}

/**
 * Concatenation of flat blocks: for each o < outer, part p contributes blocks[p] contiguous
 * elements starting at o·blocks[p]. cat uses blocks = sizes along dim × inner; stack uses inner.
 */
export function concatBlocks(
  parts: readonly TypedArray[],
  blocks: readonly number[],
  outer: number,
  dtype: DType,
  shape: number[],
): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('concatBlocks', concatBlocks, [parts, blocks, outer, dtype, shape]);
  let total = 0;
  for (const b of blocks) total += b;
  const out = allocate(dtype, outer * total);
  let offset = 0;
  for (let p = 0; p < parts.length; p++) {
    const src = parts[p],
      b = blocks[p];
    if (b === 0) continue;
    if (outer === 1) copyRun(src, 0, out, offset, b);
    else if (b === 1) for (let o = 0; o < outer; o++) out[o * total + offset] = src[o];
    else for (let o = 0; o < outer; o++) copyRun(src, o * b, out, o * total + offset, b);
    offset += b;
  }
  return Tensor._wrap(out, shape, dtype);
}

/** x split along dim into consecutive pieces of the given sizes (copies). */
export function splitAlong(x: Tensor, dim: number, sizes: readonly number[]): Tensor[] {
  if (recorder() !== null) {
    // Recorded as one slice kernel per piece (a recorded kernel returns one tensor).
    let start = 0;
    return sizes.map((size) => {
      const piece = sliceAlong(x, dim, start, 1, size);
      start += size;
      return piece;
    });
  }
  const [outer, n, inner] = blocksAround(x.shape, dim);
  const src = x.data;
  const outs: Tensor[] = [];
  let start = 0;
  for (const s of sizes) {
    const b = s * inner;
    const out = allocate(x.dtype, outer * b);
    if (outer === 1) copyRun(src, start * inner, out, 0, b);
    else for (let o = 0; o < outer; o++) copyRun(src, (o * n + start) * inner, out, o * b, b);
    const shape = x.shape.slice();
    shape[dim] = s;
    outs.push(Tensor._wrap(out, shape, x.dtype));
    start += s;
  }
  return outs;
}

/** x[start : start+len·step : step] along dim (a copy). */
export function sliceAlong(x: Tensor, dim: number, start: number, step: number, len: number): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('sliceAlong', sliceAlong, [x, dim, start, step, len]);
  const [outer, n, inner] = blocksAround(x.shape, dim);
  const shape = x.shape.slice();
  shape[dim] = len;
  const out = allocate(x.dtype, outer * len * inner);
  const src = x.data;
  if (step === 1) {
    const b = len * inner;
    for (let o = 0; o < outer; o++) copyRun(src, (o * n + start) * inner, out, o * b, b);
  } else if (inner === 1) {
    for (let o = 0, w = 0; o < outer; o++) {
      const base = o * n + start;
      for (let k = 0; k < len; k++) out[w++] = src[base + k * step];
    }
  } else {
    for (let o = 0; o < outer; o++)
      for (let k = 0; k < len; k++) copyRun(src, (o * n + start + k * step) * inner, out, (o * len + k) * inner, inner);
  }
  return Tensor._wrap(out, shape, x.dtype);
}

/** Zeros of `shape` with g written at [start : : step] along dim (the reverse of sliceAlong). */
export function sliceScatter(g: Tensor, shape: readonly number[], dim: number, start: number, step: number): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('sliceScatter', sliceScatter, [g, shape, dim, start, step]);
  const [outer, n, inner] = blocksAround(shape, dim);
  const len = g.shape[dim];
  const out = allocate(g.dtype, sizeOf(shape));
  const src = g.data;
  if (step === 1) {
    const b = len * inner;
    for (let o = 0; o < outer; o++) copyRun(src, o * b, out, (o * n + start) * inner, b);
  } else {
    for (let o = 0; o < outer; o++)
      for (let k = 0; k < len; k++) copyRun(src, (o * len + k) * inner, out, (o * n + start + k * step) * inner, inner);
  }
  return Tensor._wrap(out, shape, g.dtype);
}

/**
 * Throws a RangeError naming op unless every value of idx is in 0..limit-1. Runs before any
 * kernel writes, so a bad index never leaves a half-written result.
 */
export function checkIndices(idx: TypedArray, limit: number, op: string, dim: number): void {
  for (let k = 0; k < idx.length; k++) {
    const v = idx[k];
    if (v < 0 || v >= limit) {
      const valid = limit === 0 ? `dim ${dim} is empty, so no index is valid` : `valid indices are 0..${limit - 1}`;
      throw new RangeError(`${op}: index ${v} is out of range for dim ${dim} of size ${limit} (${valid})`);
    }
  }
}

/**
 * kernel(x, dim, index, ...) that first checks index's values against x's size along dim, as op does
 * before calling the kernel: what tg.compile records, so that a replay refuses an index out of range
 * (with op's message) instead of reading or writing outside x.
 */
function checked<I extends Int32Array | Tensor, A extends unknown[]>(
  kernel: (x: Tensor, dim: number, index: I, ...rest: A) => Tensor,
  op: string,
): (x: Tensor, dim: number, index: I, ...rest: A) => Tensor {
  return (x, dim, index, ...rest) => {
    checkIndices(index instanceof Tensor ? index.data : index, x.ndim === 0 ? 1 : x.shape[dim], op, dim);
    return kernel(x, dim, index, ...rest);
  };
}

/** out[o, j, i] = x[o, idx[j], i]; indices already checked. */
export function indexSelectAlong(x: Tensor, dim: number, idx: Int32Array): Tensor {
  const rec = recorder();
  // A replay checks the indices of its call (indexSelect checked the recording's).
  if (rec !== null) return rec.jsKernel('indexSelectAlong', checked(indexSelectAlong, 'indexSelect'), [x, dim, idx]);
  const [outer, n, inner] = blocksAround(x.shape, dim);
  const m = idx.length;
  const shape = x.shape.slice();
  shape[dim] = m;
  const out = allocate(x.dtype, outer * m * inner);
  const src = x.data;
  if (inner === 1) {
    for (let o = 0, w = 0; o < outer; o++) {
      const base = o * n;
      for (let j = 0; j < m; j++) out[w++] = src[base + idx[j]];
    }
  } else {
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < m; j++) copyRun(src, (o * n + idx[j]) * inner, out, (o * m + j) * inner, inner);
  }
  return Tensor._wrap(out, shape, x.dtype);
}

/** Zeros of `shape` with out[o, idx[j], i] += g[o, j, i] (the reverse of indexSelectAlong). */
export function indexAddAlong(g: Tensor, shape: readonly number[], dim: number, idx: Int32Array): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('indexAddAlong', indexAddAlong, [g, shape, dim, idx]);
  const [outer, n, inner] = blocksAround(shape, dim);
  const m = idx.length;
  const out = allocate(g.dtype, sizeOf(shape));
  const src = g.data;
  if (inner === 1) {
    for (let o = 0, r = 0; o < outer; o++) {
      const base = o * n;
      for (let j = 0; j < m; j++) out[base + idx[j]] += src[r++];
    }
  } else {
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < m; j++) addRun(src, (o * m + j) * inner, out, (o * n + idx[j]) * inner, inner);
  }
  return Tensor._wrap(out, shape, g.dtype);
}

/**
 * Calls visit(e, xOffset) for every element e (row-major) of an index tensor of shape ishape, where
 * xOffset is the flat offset in a tensor of shape xshape of the element with the same multi-index
 * except index[e] along dim. ishape[d] ≤ xshape[d] for d ≠ dim; indices already checked.
 */
function forEachIndexed(
  ishape: readonly number[],
  xshape: readonly number[],
  dim: number,
  index: Int32Array,
  visit: (e: number, xOffset: number) => void,
): void {
  const total = index.length;
  if (total === 0) return;
  const r = ishape.length;
  const xs = contiguousStrides(xshape);
  const last = r - 1;
  const row = ishape[last];
  const xsDim = xs[dim];
  const counter = new Array<number>(r).fill(0);
  let base = 0; // Σ counter[d]·xs[d] over the dims before the last, except dim
  for (let e0 = 0; e0 < total; e0 += row) {
    if (dim === last) for (let t = 0; t < row; t++) visit(e0 + t, base + index[e0 + t] * xsDim);
    else for (let t = 0; t < row; t++) visit(e0 + t, base + t + index[e0 + t] * xsDim);
    for (let d = last - 1; d >= 0; d--) {
      counter[d]++;
      if (d !== dim) base += xs[d];
      if (counter[d] < ishape[d]) break;
      if (d !== dim) base -= xs[d] * ishape[d];
      counter[d] = 0;
    }
  }
}

/** True when index has x's shape in every dim but dim, so both share (outer, inner). */
function sameBlocks(ishape: readonly number[], xshape: readonly number[], dim: number): boolean {
  for (let d = 0; d < xshape.length; d++) if (d !== dim && ishape[d] !== xshape[d]) return false;
  return true;
}

/** out[...j...] = x[...index[...j...]...] along dim; out has index's shape. Indices already checked. */
export function gatherAlong(x: Tensor, dim: number, index: Tensor): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('gatherAlong', checked(gatherAlong, 'gather'), [x, dim, index]);
  const idx = index.data as Int32Array;
  const out = allocate(x.dtype, idx.length);
  const src = x.data;
  if (x.ndim === 0) {
    if (idx.length > 0) out[0] = src[0];
  } else if (sameBlocks(index.shape, x.shape, dim)) {
    const [outer, nX, inner] = blocksAround(x.shape, dim);
    const nI = index.shape[dim];
    if (inner === 1) {
      for (let o = 0, e = 0; o < outer; o++) {
        const base = o * nX;
        for (let j = 0; j < nI; j++, e++) out[e] = src[base + idx[e]];
      }
    } else {
      for (let o = 0, e = 0; o < outer; o++)
        for (let j = 0; j < nI; j++) for (let i = 0; i < inner; i++, e++) out[e] = src[(o * nX + idx[e]) * inner + i];
    }
  } else {
    forEachIndexed(index.shape, x.shape, dim, idx, (e, xo) => {
      out[e] = src[xo];
    });
  }
  return Tensor._wrap(out, index.shape, x.dtype);
}

/** A copy of x with src[e] added at index[e] along dim; src has index's shape. Indices already checked. */
export function scatterAddAlong(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const rec = recorder();
  if (rec !== null)
    return rec.jsKernel('scatterAddAlong', checked(scatterAddAlong, 'scatterAdd'), [x, dim, index, src]);
  const idx = index.data as Int32Array;
  const out = x.data.slice();
  const s = src.data;
  if (x.ndim === 0) {
    for (let e = 0; e < idx.length; e++) out[0] += s[e];
  } else if (sameBlocks(index.shape, x.shape, dim)) {
    const [outer, nX, inner] = blocksAround(x.shape, dim);
    const nI = index.shape[dim];
    for (let o = 0, e = 0; o < outer; o++)
      for (let j = 0; j < nI; j++) for (let i = 0; i < inner; i++, e++) out[(o * nX + idx[e]) * inner + i] += s[e];
  } else {
    forEachIndexed(index.shape, x.shape, dim, idx, (e, xo) => {
      out[xo] += s[e];
    });
  }
  return Tensor._wrap(out, x.shape, x.dtype);
}

/** t's data broadcast to shape (t's own storage when the shape already matches). */
function dataAs(t: Tensor, shape: readonly number[]): TypedArray {
  return shapesEqual(t.shape, shape) ? t.data : broadcastCopy(t, shape).data;
}

/** A flat view of an operand at shape: [data, stride] where stride 0 repeats one value. */
function operand(v: TensorLike, shape: readonly number[]): [TypedArray, number] {
  if (typeof v === 'number') {
    const a = new Float64Array(1);
    a[0] = v;
    return [a, 0];
  }
  if (v.size === 1) return [v.data, 0];
  return [dataAs(v, shape), 1];
}

/** out = cond ? a : b elementwise, all broadcast to shape; cond is bool or int32 (nonzero is true). */
export function whereKernel(cond: Tensor, a: TensorLike, b: TensorLike, shape: number[], dtype: DType): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('whereKernel', whereKernel, [cond, a, b, shape, dtype]);
  const n = sizeOf(shape);
  const out = allocate(dtype, n);
  const [c, sc] = operand(cond, shape);
  const [av, sa] = operand(a, shape);
  const [bv, sb] = operand(b, shape);
  // Branch-free select: pick[0] = b, pick[1] = a, read pick[cond]. A ternary mispredicts on
  // irregular masks (measured 6-9 ms vs 2.9 ms per 1e6 elements for a random mask).
  const pick = new Float64Array(2);
  if (sc === 1 && sa === 1 && sb === 1) {
    for (let k = 0; k < n; k++) {
      pick[0] = bv[k];
      pick[1] = av[k];
      out[k] = pick[+(c[k] !== 0)];
    }
  } else if (sc === 1 && sa === 1 && sb === 0) {
    pick[0] = bv[0];
    for (let k = 0; k < n; k++) {
      pick[1] = av[k];
      out[k] = pick[+(c[k] !== 0)];
    }
  } else if (sc === 1 && sa === 0 && sb === 1) {
    pick[1] = av[0];
    for (let k = 0; k < n; k++) {
      pick[0] = bv[k];
      out[k] = pick[+(c[k] !== 0)];
    }
  } else {
    for (let k = 0; k < n; k++) {
      pick[0] = bv[k * sb];
      pick[1] = av[k * sa];
      out[k] = pick[+(c[k * sc] !== 0)];
    }
  }
  return Tensor._wrap(out, shape, dtype);
}

/** A copy of x with value wherever mask (broadcast to x's shape) is nonzero. */
export function maskedFillKernel(x: Tensor, mask: Tensor, value: number): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('maskedFillKernel', maskedFillKernel, [x, mask, value]);
  const out = x.data.slice();
  const [m, sm] = operand(mask, x.shape);
  const n = out.length;
  if (sm === 0) {
    if (n > 0 && m[0] !== 0) out.fill(value);
  } else {
    const pick = new Float64Array(2); // branch-free, as in whereKernel
    pick[1] = value;
    for (let k = 0; k < n; k++) {
      pick[0] = out[k];
      out[k] = pick[+(m[k] !== 0)];
    }
  }
  return Tensor._wrap(out, x.shape, x.dtype);
}

export type CompareName = 'gt' | 'lt' | 'ge' | 'le' | 'eq' | 'ne';

/** a ∘ b as a bool tensor (Uint8Array 0/1) of shape, both operands broadcast to it. */
export function compareKernel(op: CompareName, a: TensorLike, b: TensorLike, shape: number[]): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('compareKernel', compareKernel, [op, a, b, shape]);
  const n = sizeOf(shape);
  const out = new Uint8Array(n);
  // A number meets a float32 tensor in float32, as PyTorch casts the scalar to the tensor's dtype
  // (so x.eq(0.1) is true where x holds float32(0.1)).
  if (typeof a === 'number' && b instanceof Tensor && b.dtype === 'float32') a = Math.fround(a);
  if (typeof b === 'number' && a instanceof Tensor && a.dtype === 'float32') b = Math.fround(b);
  const [x, sx] = operand(a, shape);
  const [y, sy] = operand(b, shape);
  if (sx === 1 && sy === 0) {
    compareScalar(op, x, y[0], out);
    return Tensor._wrap(out, shape, 'bool');
  }
  if (sx === 0 && sy === 1) {
    compareScalar(FLIPPED[op], y, x[0], out); // a ∘ t is t ∘' a with the comparison mirrored
    return Tensor._wrap(out, shape, 'bool');
  }
  // +(x > y) compiles without a branch; `? 1 : 0` mispredicts on irregular data (measured ~10x slower
  // on random values).
  switch (op) {
    case 'gt':
      for (let k = 0; k < n; k++) out[k] = +(x[k * sx] > y[k * sy]);
      break;
    case 'lt':
      for (let k = 0; k < n; k++) out[k] = +(x[k * sx] < y[k * sy]);
      break;
    case 'ge':
      for (let k = 0; k < n; k++) out[k] = +(x[k * sx] >= y[k * sy]);
      break;
    case 'le':
      for (let k = 0; k < n; k++) out[k] = +(x[k * sx] <= y[k * sy]);
      break;
    case 'eq':
      for (let k = 0; k < n; k++) out[k] = +(x[k * sx] === y[k * sy]);
      break;
    case 'ne':
      for (let k = 0; k < n; k++) out[k] = +(x[k * sx] !== y[k * sy]);
      break;
  }
  return Tensor._wrap(out, shape, 'bool');
}

const FLIPPED: Record<CompareName, CompareName> = { gt: 'lt', lt: 'gt', ge: 'le', le: 'ge', eq: 'eq', ne: 'ne' };

/** out[k] = x[k] ∘ v for k < out.length (the common tensor-vs-number case, v hoisted). */
function compareScalar(op: CompareName, x: TypedArray, v: number, out: Uint8Array): void {
  const n = out.length;
  switch (op) {
    case 'gt':
      for (let k = 0; k < n; k++) out[k] = +(x[k] > v);
      break;
    case 'lt':
      for (let k = 0; k < n; k++) out[k] = +(x[k] < v);
      break;
    case 'ge':
      for (let k = 0; k < n; k++) out[k] = +(x[k] >= v);
      break;
    case 'le':
      for (let k = 0; k < n; k++) out[k] = +(x[k] <= v);
      break;
    case 'eq':
      for (let k = 0; k < n; k++) out[k] = +(x[k] === v);
      break;
    case 'ne':
      for (let k = 0; k < n; k++) out[k] = +(x[k] !== v);
      break;
  }
}

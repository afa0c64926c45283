// Slow, obviously-correct references for the indexing ops, on nested JS arrays (test use only).
import type * as tg from '../../lib/index.js';

export type Nested = number | Nested[];

/** x[start:end:step] along dim; Array.prototype.slice clamps and wraps bounds exactly as Python does. */
export function refSlice(a: Nested, dim: number, start: number | null, end: number | null, step: number): Nested {
  const arr = a as Nested[];
  if (dim > 0) return arr.map((r) => refSlice(r, dim - 1, start, end, step));
  return arr.slice(start ?? 0, end ?? arr.length).filter((_, i) => i % step === 0);
}

/** Multi-index of flat position k in shape. */
export function unravel(k: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = k % shape[d];
    k = Math.floor(k / shape[d]);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let k = 0;
  for (let d = 0; d < shape.length; d++) k = k * shape[d] + idx[d];
  return k;
}

/** out[p] = x[p with p[dim] replaced by index[p]]. */
export function refGather(x: tg.Tensor, dim: number, index: tg.Tensor): number[] {
  const out: number[] = [];
  for (let e = 0; e < index.size; e++) {
    const p = unravel(e, index.shape);
    if (p.length > 0) p[dim] = index.data[e];
    out.push(x.data[ravel(p, x.shape)]);
  }
  return out;
}

/** x with src[p] added at p with p[dim] replaced by index[p], for p over index's shape. */
export function refScatterAdd(x: tg.Tensor, dim: number, index: tg.Tensor, src: tg.Tensor): number[] {
  const out = Array.from(x.data as ArrayLike<number>);
  for (let e = 0; e < index.size; e++) {
    const p = unravel(e, index.shape);
    const s = src.data[ravel(p, src.shape)];
    if (p.length > 0) p[dim] = index.data[e];
    out[ravel(p, x.shape)] += s;
  }
  return out;
}

/** Value of t at the output multi-index idx of a broadcast to rank n. */
export function broadcastAt(t: tg.Tensor, idx: readonly number[]): number {
  const n = idx.length;
  let off = 0;
  for (let d = 0; d < t.ndim; d++) off = off * t.shape[d] + (t.shape[d] === 1 ? 0 : idx[d + (n - t.ndim)]);
  return t.data[off];
}

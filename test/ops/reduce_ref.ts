// A reference for reductions: groups x's values by their kept multi-index (row-major order of the
// output) and folds each group with f. Shared by the reduction tests.
import type * as tg from '../../lib/index.js';

export function reduceRef(x: tg.Tensor, dims: number[], f: (vals: number[]) => number): number[] {
  const shape = x.shape;
  const groups = new Map<string, number[]>();
  const order: string[] = [];
  for (let k = 0; k < x.size; k++) {
    const idx: number[] = [];
    for (let d = shape.length - 1, r = k; d >= 0; d--) {
      idx[d] = r % shape[d];
      r = Math.floor(r / shape[d]);
    }
    const key = idx.filter((_, d) => !dims.includes(d)).join(',');
    if (!groups.has(key)) {
      groups.set(key, []);
      order.push(key);
    }
    groups.get(key)!.push(x.data[k] as number);
  }
  return order.map((k) => f(groups.get(k)!));
}

/** Every subset of [0, n), as sorted arrays. */
export const subsets = (n: number): number[][] =>
  Array.from({ length: 1 << n }, (_, m) => [...Array(n).keys()].filter((d) => m & (1 << d)));

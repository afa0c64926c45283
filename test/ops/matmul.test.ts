// matmul with torch.matmul's rules: values against a reference, all rank combinations, broadcast
// batches, gradcheck (the backward is two more products with transpose flags), errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { matmulT } from '../../lib/ops/matmul.js';
import { expectClose, expectGradcheck, flat, leaf } from '../helpers.js';

function mmRef(a: number[], b: number[], m: number, k: number, n: number): number[] {
  const c = new Array(m * n).fill(0);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}

describe('matmul', () => {
  it.each([
    [1, 1, 1],
    [2, 3, 4],
    [7, 5, 3],
    [17, 33, 9],
    [64, 64, 64],
    [65, 31, 129],
  ])('2-D values m=%i k=%i n=%i (float64 and float32)', (m, k, n) => {
    const a = leaf([m, k], { seed: m }),
      b = leaf([k, n], { seed: n + 100 });
    expectClose(a.matmul(b), mmRef(flat(a), flat(b), m, k, n), 1e-12, 1e-12);
    const c32 = a.float().matmul(b.float());
    expect(c32.dtype).toBe('float32');
    expectClose(c32, mmRef(flat(a.float()), flat(b.float()), m, k, n), 1e-4 * Math.sqrt(k), 1e-5);
  });

  it('1-D operands: dot, vector·matrix, matrix·vector', () => {
    const v = tg.tensor([1, 2, 3], { dtype: 'float64' });
    const M = tg.tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      { dtype: 'float64' },
    );
    expect(v.matmul(v).shape).toEqual([]);
    expect(v.matmul(v).item()).toBe(14);
    expect(v.matmul(M).toArray()).toEqual([22, 28]);
    expect(M.t().matmul(v).toArray()).toEqual([22, 28]);
  });

  it('batched with broadcast batch dims', () => {
    const a = leaf([2, 1, 3, 4]),
      b = leaf([5, 4, 2]);
    const c = a.matmul(b);
    expect(c.shape).toEqual([2, 5, 3, 2]);
    const A = a.toArray() as number[][][][],
      B = b.toArray() as number[][][];
    const C = c.toArray() as number[][][][];
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 5; j++)
        expectClose(C[i][j].flat(), mmRef(A[i][0].flat(), B[j].flat(), 3, 4, 2), 1e-12, 1e-12);
    const x = leaf([4, 3, 5]),
      w = leaf([5, 2]);
    expectClose(
      x.matmul(w),
      (x.toArray() as number[][][]).flatMap((r) => mmRef(r.flat(), flat(w), 3, 5, 2)),
      1e-12,
      1e-12,
    );
  });

  it('gradcheck: 2-D, 1-D cases and broadcast batches', () => {
    expectGradcheck(tg.matmul, [leaf([3, 4]), leaf([4, 2])]);
    expectGradcheck(tg.matmul, [leaf([4]), leaf([4])]);
    expectGradcheck(tg.matmul, [leaf([4]), leaf([4, 3])]);
    expectGradcheck(tg.matmul, [leaf([3, 4]), leaf([4])]);
    expectGradcheck(tg.matmul, [leaf([2, 1, 3, 4]), leaf([5, 4, 2])]);
    expectGradcheck(tg.matmul, [leaf([2, 3, 4]), leaf([4, 2])]);
    expectGradcheck(tg.matmul, [leaf([3, 4]), leaf([2, 4, 2])]);
  });

  it('gradcheck of every transpose case of the internal op(A)·op(B)', () => {
    for (const tA of [false, true])
      for (const tB of [false, true]) {
        const a = leaf(tA ? [4, 3] : [3, 4]),
          b = leaf(tB ? [2, 4] : [4, 2]);
        expectGradcheck((x: tg.Tensor, y: tg.Tensor) => matmulT(x, y, tA, tB), [a, b]);
        expect(tg.autograd.gradgradcheck((x: tg.Tensor, y: tg.Tensor) => matmulT(x, y, tA, tB), [a, b])).toBe(true);
      }
  });

  it('gradcheck with native-sized products (random directions through the full Jacobian is too big: check two entries)', () => {
    const a = leaf([40, 30]),
      b = leaf([30, 20]);
    a.matmul(b).sum().backward();
    // d/dA of sum(A·B) = 1·Bᵀ: row sums of B.
    const B = b.toArray() as number[][];
    expectClose(
      (a.grad!.toArray() as number[][])[0],
      B.map((r) => r.reduce((s, v) => s + v, 0)),
      1e-12,
      1e-12,
    );
  });

  it('errors name the op, both shapes and the dims', () => {
    expect(() => tg.zeros([2, 3]).matmul(tg.zeros([4, 5]))).toThrow(
      new RangeError('matmul: inner dimensions must match, got a [2, 3] and b [4, 5] (3 vs 4)'),
    );
    expect(() => tg.zeros([2, 3]).matmul(tg.zeros([3, 2], { dtype: 'float64' }))).toThrow(
      new TypeError('matmul: both operands must have the same dtype, got a float32 and b float64'),
    );
    expect(() => tg.zeros([2, 2], { dtype: 'int32' }).matmul(tg.zeros([2, 2], { dtype: 'int32' }))).toThrow(
      new TypeError("matmul: argument 'a' must be float32 or float64, got int32"),
    );
    expect(() => tg.matmul(tg.zeros([2, 3]), [[1]] as any)).toThrow(
      new TypeError("matmul: argument 'b' must be a Tensor, got an array"),
    );
    expect(() => tg.zeros([2, 3, 4]).matmul(tg.zeros([3, 4, 2]))).toThrow(RangeError);
  });
});

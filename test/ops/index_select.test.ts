// indexSelect: values along every dim, repeated/empty indices, JS arrays, gradients (repeated
// indices accumulate; IndexSelectBackward is itself differentiable), errors checked before writes.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectGradcheck, leaf } from '../helpers.js';
import { ravel, unravel } from '../reference/indexing.js';

const i32 = (v: number[]) => tg.tensor(v, { dtype: 'int32' });

function refIndexSelect(x: tg.Tensor, dim: number, idx: number[]): number[] {
  const shape = x.shape.slice();
  shape[dim] = idx.length;
  const out: number[] = [];
  for (let k = 0; k < shape.reduce((a, b) => a * b, 1); k++) {
    const p = unravel(k, shape);
    p[dim] = idx[p[dim]];
    out.push(x.data[ravel(p, x.shape)]);
  }
  return out;
}

describe('indexSelect', () => {
  it('picks entries along each dim (negative dims too), with repeats, from a tensor or an array', () => {
    const x = tg.arange(24).reshape([2, 3, 4]);
    for (const dim of [0, 1, 2, -1, -2]) {
      const n = x.shape[(dim + 3) % 3];
      const idx = [n - 1, 0, n - 1];
      const y = x.indexSelect(dim, i32(idx));
      expect(Array.from(y.data)).toEqual(refIndexSelect(x, (dim + 3) % 3, idx));
      expect(tg.indexSelect(x, dim, idx).toArray()).toEqual(y.toArray());
    }
    expect(
      tg
        .tensor([
          [1, 2],
          [3, 4],
        ])
        .indexSelect(1, [1])
        .toArray(),
    ).toEqual([[2], [4]]);
  });
  it('empty index and size-0 dims; int32 and bool x', () => {
    expect(tg.zeros([2, 3]).indexSelect(1, []).shape).toEqual([2, 0]);
    expect(tg.zeros([0, 3]).indexSelect(1, [2, 2]).shape).toEqual([0, 2]);
    expect(tg.tensor([5, 6, 7], { dtype: 'int32' }).indexSelect(0, [2, 0]).toArray()).toEqual([7, 5]);
    expect(tg.tensor([true, false]).indexSelect(0, [1, 0]).toArray()).toEqual([false, true]);
  });
  it('a large gather of rows (1e6 elements) is correct', () => {
    const x = tg.arange(1_000_000).reshape([1000, 1000]);
    const idx = tg.tensor(Int32Array.from({ length: 1000 }, (_, i) => 999 - i));
    const y = x.indexSelect(1, idx);
    expect([y.data[0], y.data[999], y.data[1000], y.data[999_999]]).toEqual([999, 0, 1999, 999_000]);
  });
  it('gradcheck (repeated indices accumulate) and gradgradcheck', () => {
    expectGradcheck((t: tg.Tensor) => t.indexSelect(1, i32([2, 0, 2, 2])), [leaf([2, 3])]);
    expectGradcheck((t: tg.Tensor) => t.indexSelect(0, [1, 1]), [leaf([3, 2])]);
    expectGradcheck((t: tg.Tensor) => t.indexSelect(0, []), [leaf([3, 2])]);
    expect(tg.autograd.gradgradcheck((t: tg.Tensor) => t.indexSelect(-1, [1, 0, 1]).pow(2), [leaf([2, 2])])).toBe(true);
    const x = leaf([3]);
    x.indexSelect(0, [2, 2, 0]).sum().backward();
    expect(x.grad!.toArray()).toEqual([1, 0, 2]);
  });
  it('an index changed in place after forward makes backward fail instead of giving a wrong gradient', () => {
    const x = leaf([3]);
    const idx = i32([0, 1]);
    const y = x.indexSelect(0, idx);
    idx.add_(1);
    expect(() => y.sum().backward()).toThrow(
      /IndexSelectBackward: one of the tensors needed for gradient computation has been modified by an in-place operation/,
    );
  });
  it('errors name the op, the bad index and the valid range', () => {
    const x = tg.zeros([2, 3]);
    expect(() => x.indexSelect(1, [0, 3])).toThrow(
      new RangeError('indexSelect: index 3 is out of range for dim 1 of size 3 (valid indices are 0..2)'),
    );
    expect(() => x.indexSelect(0, i32([-1]))).toThrow(
      new RangeError('indexSelect: index -1 is out of range for dim 0 of size 2 (valid indices are 0..1)'),
    );
    expect(() => tg.zeros([0]).indexSelect(0, [0])).toThrow(
      new RangeError('indexSelect: index 0 is out of range for dim 0 of size 0 (dim 0 is empty, so no index is valid)'),
    );
    expect(() => x.indexSelect(0, [0.5])).toThrow(
      new TypeError("indexSelect: argument 'index' must hold integers, got a number (0.5) at position 0"),
    );
    expect(() => x.indexSelect(0, tg.tensor([0]))).toThrow(
      new TypeError("indexSelect: argument 'index' must be an int32 Tensor, got dtype float32"),
    );
    expect(() => x.indexSelect(0, 1 as any)).toThrow(
      new TypeError("indexSelect: argument 'index' must be an int32 Tensor or an array of integers, got a number (1)"),
    );
    expect(() => x.indexSelect(0, i32([0, 1]).reshape([1, 2]))).toThrow(
      new RangeError("indexSelect: argument 'index' must be 1-D, got shape [1, 2]"),
    );
    expect(() => x.indexSelect(2, [0])).toThrow(
      new RangeError('indexSelect: dim 2 is out of range for a tensor of rank 2 (expected -2..1)'),
    );
    expect(() => tg.tensor(1).indexSelect(0, [0])).toThrow(
      new RangeError("indexSelect: argument 'x' must have at least one dim, got a 0-d tensor"),
    );
  });
});

// gather: values against a multi-index reference (index of x's shape and smaller), 0-d, empty,
// a large input, gradients (scatterAdd, itself differentiable), errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, leaf } from '../helpers.js';
import { refGather } from '../reference/indexing.js';

const i32 = (v: number[] | number[][] | number[][][]) => tg.tensor(v, { dtype: 'int32' });

/** A seeded int32 index tensor with values in 0..n-1. */
function randIndex(shape: number[], n: number, seed: number): tg.Tensor {
  tg.manualSeed(seed);
  return tg.rand(shape, { dtype: 'float64' }).mul(n).to('int32');
}

describe('gather', () => {
  it('the PyTorch example: out[i][j] = x[i][index[i][j]] along dim 1', () => {
    const x = tg.tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(
      x
        .gather(
          1,
          i32([
            [0, 0],
            [1, 0],
          ]),
        )
        .toArray(),
    ).toEqual([
      [1, 1],
      [4, 3],
    ]);
    expect(x.gather(0, i32([[1, 0]])).toArray()).toEqual([[3, 2]]);
  });
  it('matches the reference along every dim, for index shapes equal to and smaller than x', () => {
    const x = leaf([3, 4, 5]);
    for (const dim of [0, 1, 2, -1]) {
      const d = (dim + 3) % 3;
      for (const shape of [
        [3, 4, 5],
        [2, 3, 4],
        [3, 4, 2],
        [1, 1, 1],
      ]) {
        const s = shape.slice();
        s[d] = 6; // along dim the index may be longer than x
        const idx = randIndex(
          s,
          x.shape[d],
          s.reduce((a, b) => a + b, d),
        );
        expectClose(x.gather(dim, idx), refGather(x, d, idx), 0, 0);
      }
    }
  });
  it('0-d, empty index, int32 x', () => {
    expect(
      tg
        .tensor(7)
        .gather(0, tg.tensor(0, { dtype: 'int32' }))
        .toArray(),
    ).toEqual(7);
    expect(tg.zeros([2, 3]).gather(1, i32([[], []])).shape).toEqual([2, 0]);
    expect(
      tg
        .tensor([4, 5], { dtype: 'int32' })
        .gather(0, i32([1, 1, 0]))
        .toArray(),
    ).toEqual([5, 5, 4]);
  });
  it('a large gather along the last dim (1e6 elements) is correct', () => {
    const x = tg.arange(1_000_000).reshape([1000, 1000]);
    const idx = randIndex([1000, 1000], 1000, 9);
    const y = x.gather(1, idx);
    for (const e of [0, 1, 12345, 999_999]) expect(y.data[e]).toBe(Math.floor(e / 1000) * 1000 + idx.data[e]);
  });
  it('gradcheck (repeated indices accumulate, smaller index) and gradgradcheck', () => {
    expectGradcheck(
      (t: tg.Tensor) =>
        t.gather(
          1,
          i32([
            [0, 0, 2],
            [1, 0, 1],
          ]),
        ),
      [leaf([2, 3])],
    );
    expectGradcheck((t: tg.Tensor) => t.gather(0, i32([[2, 0]])), [leaf([3, 3])]);
    expectGradcheck((t: tg.Tensor) => t.gather(2, randIndex([2, 2, 5], 3, 4)), [leaf([2, 3, 3])]);
    expect(
      tg.autograd.gradgradcheck(
        (t: tg.Tensor) =>
          t
            .gather(
              0,
              i32([
                [1, 1],
                [0, 1],
              ]),
            )
            .pow(2),
        [leaf([2, 2])],
      ),
    ).toBe(true);
  });
  it('errors name the op, the bad index and the valid range', () => {
    const x = tg.zeros([2, 3]);
    expect(() =>
      x.gather(
        1,
        i32([
          [0, 3],
          [1, 1],
        ]),
      ),
    ).toThrow(new RangeError('gather: index 3 is out of range for dim 1 of size 3 (valid indices are 0..2)'));
    expect(() => x.gather(0, i32([[-1]]))).toThrow(
      new RangeError('gather: index -1 is out of range for dim 0 of size 2 (valid indices are 0..1)'),
    );
    expect(() => x.gather(1, i32([0, 1]))).toThrow(
      new RangeError("gather: argument 'index' must have the rank of x (2), got shape [2]"),
    );
    expect(() => x.gather(1, i32([[0], [0], [0]]))).toThrow(
      new RangeError(
        "gather: argument 'index' of shape [3, 1] is larger than x [2, 3] in dim 0 (only dim 1 may differ)",
      ),
    );
    expect(() => x.gather(1, [[0]] as any)).toThrow(
      new TypeError("gather: argument 'index' must be an int32 Tensor, got an array"),
    );
    expect(() => x.gather(1, tg.zeros([2, 3]))).toThrow(
      new TypeError("gather: argument 'index' must be an int32 Tensor, got dtype float32"),
    );
    expect(() => x.gather(-3, i32([[0]]))).toThrow(
      new RangeError('gather: dim -3 is out of range for a tensor of rank 2 (expected -2..1)'),
    );
  });
});

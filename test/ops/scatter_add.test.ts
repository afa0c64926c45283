// scatterAdd: values against a multi-index reference (repeated indices accumulate, index smaller
// than src), gradients in x and src, errors raised before anything is written.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, leaf } from '../helpers.js';
import { refScatterAdd } from '../reference/indexing.js';

const i32 = (v: number[] | number[][]) => tg.tensor(v, { dtype: 'int32' });

function randIndex(shape: number[], n: number, seed: number): tg.Tensor {
  tg.manualSeed(seed);
  return tg.rand(shape, { dtype: 'float64' }).mul(n).to('int32');
}

describe('scatterAdd', () => {
  it('adds src at index along dim; repeated indices accumulate', () => {
    const x = tg.zeros([2, 4]);
    const y = x.scatterAdd(
      1,
      i32([
        [0, 0, 3],
        [1, 2, 1],
      ]),
      tg.tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    );
    expect(y.toArray()).toEqual([
      [3, 0, 0, 3],
      [0, 10, 5, 0],
    ]);
    expect(x.toArray()).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    expect(tg.scatterAdd(tg.ones([3]), 0, i32([2, 2]), tg.tensor([1, 1])).toArray()).toEqual([1, 1, 3]);
  });
  it('matches the reference along every dim, with index smaller than src and x', () => {
    const x = leaf([3, 4, 5]);
    for (const dim of [0, 1, 2, -2]) {
      const d = (dim + 3) % 3;
      for (const shape of [
        [3, 4, 5],
        [2, 3, 4],
        [1, 4, 2],
      ]) {
        const s = shape.slice();
        s[d] = 6;
        const idx = randIndex(s, x.shape[d], d + s[0]);
        const src = leaf(
          [3, 4, 6].map((v, k) => Math.max(v, s[k])),
          { seed: 5 },
        );
        expectClose(x.scatterAdd(dim, idx, src), refScatterAdd(x, d, idx, src), 1e-15, 1e-15);
      }
    }
  });
  it('0-d and empty index', () => {
    expect(
      tg
        .tensor(1)
        .scatterAdd(0, tg.tensor(0, { dtype: 'int32' }), tg.tensor(2))
        .toArray(),
    ).toEqual(3);
    expect(
      tg
        .ones([2])
        .scatterAdd(0, i32([]), tg.zeros([0]))
        .toArray(),
    ).toEqual([1, 1]);
  });
  it('gradcheck in x and src (src larger than index too) and gradgradcheck', () => {
    const idx = i32([
      [0, 0, 2],
      [1, 0, 1],
    ]);
    expectGradcheck((x: tg.Tensor, s: tg.Tensor) => x.scatterAdd(1, idx, s), [leaf([2, 3]), leaf([2, 3], { seed: 3 })]);
    expectGradcheck(
      (x: tg.Tensor, s: tg.Tensor) => x.scatterAdd(0, i32([[1], [1]]), s),
      [leaf([2, 2]), leaf([3, 2], { seed: 3 })],
    );
    expectGradcheck((s: tg.Tensor) => tg.zeros([2, 3], { dtype: 'float64' }).scatterAdd(1, idx, s), [leaf([2, 3])]);
    expect(
      tg.autograd.gradgradcheck(
        (x: tg.Tensor, s: tg.Tensor) => x.scatterAdd(1, idx, s.pow(2)).pow(2),
        [leaf([2, 3]), leaf([2, 3], { seed: 3 })],
      ),
    ).toBe(true);
  });
  it('errors, raised before anything is written', () => {
    const x = tg.zeros([2, 3]);
    expect(() =>
      x.scatterAdd(
        1,
        i32([
          [0, 1],
          [1, 3],
        ]),
        tg.ones([2, 2]),
      ),
    ).toThrow(new RangeError('scatterAdd: index 3 is out of range for dim 1 of size 3 (valid indices are 0..2)'));
    expect(x.toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(() => x.scatterAdd(1, i32([[0, 1]]), tg.ones([2, 2], { dtype: 'float64' }))).toThrow(
      new TypeError("scatterAdd: argument 'src' must have the dtype of x (float32), got float64"),
    );
    expect(() => x.scatterAdd(1, i32([[0, 1]]), tg.ones([2]))).toThrow(
      new RangeError("scatterAdd: argument 'src' must have the rank of x (2), got shape [2]"),
    );
    expect(() => x.scatterAdd(1, i32([[0, 1, 2]]), tg.ones([1, 2]))).toThrow(
      new RangeError("scatterAdd: argument 'index' of shape [1, 3] is larger than src [1, 2]"),
    );
    expect(() => x.scatterAdd(1, i32([[0], [1], [1]]), tg.ones([3, 1]))).toThrow(
      new RangeError(
        "scatterAdd: argument 'index' of shape [3, 1] is larger than x [2, 3] in dim 0 (only dim 1 may differ)",
      ),
    );
    expect(() => x.scatterAdd(1, i32([[0]]), 1 as any)).toThrow(
      new TypeError("scatterAdd: argument 'src' must be a Tensor, got a number (1)"),
    );
  });
});

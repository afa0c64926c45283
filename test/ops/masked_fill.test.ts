// maskedFill: values with a broadcast mask, dtypes, gradient zero where filled, errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectGradcheck, leaf } from '../helpers.js';

describe('maskedFill', () => {
  it('fills where the mask is true; the mask broadcasts to x', () => {
    const x = tg.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(
      x
        .maskedFill(
          tg.tensor([
            [true, false, true],
            [false, false, false],
          ]),
          0,
        )
        .toArray(),
    ).toEqual([
      [0, 2, 0],
      [4, 5, 6],
    ]);
    expect(x.maskedFill(tg.tensor([false, true, false]), -1).toArray()).toEqual([
      [1, -1, 3],
      [4, -1, 6],
    ]);
    expect(x.maskedFill(tg.tensor([[true], [false]]), Infinity).toArray()).toEqual([
      [Infinity, Infinity, Infinity],
      [4, 5, 6],
    ]);
    expect(x.maskedFill(tg.tensor(true), 7).toArray()).toEqual([
      [7, 7, 7],
      [7, 7, 7],
    ]);
    expect(x.maskedFill(tg.tensor([0, 1, 0], { dtype: 'int32' }), 9).toArray()).toEqual([
      [1, 9, 3],
      [4, 9, 6],
    ]);
    expect(x.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });
  it('dtypes, 0-d and empty', () => {
    expect(
      tg
        .tensor([1, 2], { dtype: 'int32' })
        .maskedFill(tg.tensor([true, false]), 5)
        .toArray(),
    ).toEqual([5, 2]);
    expect(
      tg
        .tensor([true, true])
        .maskedFill(tg.tensor([false, true]), false)
        .toArray(),
    ).toEqual([true, false]);
    expect(tg.tensor(2).maskedFill(tg.tensor(true), 3).toArray()).toEqual(3);
    expect(tg.zeros([0, 2]).maskedFill(tg.tensor([true, false]), 1).shape).toEqual([0, 2]);
    const big = tg.zeros([1000, 1000]).maskedFill(tg.arange(1000).lt(500), 1);
    expect([big.data[0], big.data[499], big.data[500], big.data[999_500]]).toEqual([1, 1, 0, 0]);
  });
  it('gradcheck (zero gradient where filled) and gradgradcheck', () => {
    const m = tg.tensor([
      [true, false, false],
      [false, true, false],
    ]);
    expectGradcheck((x: tg.Tensor) => x.maskedFill(m, 2), [leaf([2, 3])]);
    expectGradcheck((x: tg.Tensor) => x.maskedFill(tg.tensor([false, true]), -1), [leaf([3, 2])]);
    expect(tg.autograd.gradgradcheck((x: tg.Tensor) => x.pow(2).maskedFill(m, 0), [leaf([2, 3])])).toBe(true);
    const x = leaf([3]);
    x.maskedFill(tg.tensor([true, false, true]), 0)
      .sum()
      .backward();
    expect(x.grad!.toArray()).toEqual([0, 1, 0]);
  });
  it('errors', () => {
    const x = tg.zeros([2, 2]);
    expect(() => x.maskedFill(tg.tensor([true, false, true]), 0)).toThrow(
      new RangeError("maskedFill: argument 'mask' of shape [3] cannot be broadcast to the shape of x, [2, 2]"),
    );
    expect(() => x.maskedFill(tg.tensor([[[true]]]), 0)).toThrow(
      new RangeError("maskedFill: argument 'mask' of shape [1, 1, 1] cannot be broadcast to the shape of x, [2, 2]"),
    );
    expect(() => x.maskedFill(tg.zeros([2]), 0)).toThrow(
      new TypeError("maskedFill: argument 'mask' must be a bool Tensor (or int32 0/1), got dtype float32"),
    );
    expect(() => x.maskedFill(tg.tensor([true]), '1' as any)).toThrow(
      new TypeError("maskedFill: argument 'value' must be a number, got a string (1)"),
    );
    expect(() => tg.tensor([1], { dtype: 'int32' }).maskedFill(tg.tensor([true]), 0.5)).toThrow(
      new TypeError("maskedFill: argument 'value' must be an integer to fill an int32 tensor, got 0.5"),
    );
    expect(() => tg.tensor([true]).maskedFill(tg.tensor([true]), 2)).toThrow(
      new TypeError("maskedFill: argument 'value' must be true/false (or 0/1) to fill a bool tensor, got 2"),
    );
  });
});

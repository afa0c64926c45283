// split: chunk size and section lists along any dim, empty dims, gradients (including unused
// pieces), errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectGradcheck, leaf } from '../helpers.js';

describe('split', () => {
  it('a number is the chunk size; the last chunk may be smaller', () => {
    const x = tg.arange(7);
    expect(x.split(3).map((t) => t.toArray())).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(x.split(7).map((t) => t.toArray())).toEqual([[0, 1, 2, 3, 4, 5, 6]]);
    expect(x.split(10).map((t) => t.toArray())).toEqual([[0, 1, 2, 3, 4, 5, 6]]);
    const m = tg.arange(10).reshape([2, 5]);
    expect(m.split(2, 1).map((t) => t.toArray())).toEqual([
      [
        [0, 1],
        [5, 6],
      ],
      [
        [2, 3],
        [7, 8],
      ],
      [[4], [9]],
    ]);
    expect(m.split(2, -1).length).toBe(3);
  });
  it('an array lists section sizes (zeros allowed) that add up to the dim', () => {
    const m = tg.arange(12).reshape([3, 4]);
    const parts = tg.split(m, [1, 0, 3], 1);
    expect(parts.map((t) => t.shape)).toEqual([
      [3, 1],
      [3, 0],
      [3, 3],
    ]);
    expect(parts[2].toArray()).toEqual([
      [1, 2, 3],
      [5, 6, 7],
      [9, 10, 11],
    ]);
    expect(m.split([2, 1]).map((t) => t.toArray())).toEqual([
      [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
      ],
      [[8, 9, 10, 11]],
    ]);
  });
  it('pieces are copies; a size-0 dim gives one empty piece', () => {
    const x = tg.arange(4);
    const [a] = x.split(2);
    a.add_(10);
    expect(x.toArray()).toEqual([0, 1, 2, 3]);
    expect(
      tg
        .zeros([0, 2])
        .split(3)
        .map((t) => t.shape),
    ).toEqual([[0, 2]]);
  });
  it('gradcheck (all pieces, and some pieces unused) and gradgradcheck', () => {
    expectGradcheck((x: tg.Tensor) => x.split(2, 1), [leaf([2, 5])]);
    expectGradcheck((x: tg.Tensor) => x.split([1, 3], 0)[1].mul(2), [leaf([4, 2])]);
    expect(tg.autograd.gradgradcheck((x: tg.Tensor) => x.split([2, 1], -1).map((p) => p.pow(2)), [leaf([2, 3])])).toBe(
      true,
    );
    const x = leaf([5]);
    x.split(2)[1].sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 0, 1, 1, 0]);
  });
  it('errors', () => {
    const x = tg.zeros([4, 2]);
    expect(() => x.split([1, 2])).toThrow(new RangeError('split: sections [1,2] add up to 3 but dim 0 has size 4'));
    expect(() => x.split(0)).toThrow(
      new RangeError('split: a split size of 0 cannot cut dim 0 of size 4; give a positive size'),
    );
    expect(() => x.split(-1)).toThrow(
      new TypeError("split: argument 'splitSizeOrSections' must be a non-negative integer or an array of them, got -1"),
    );
    expect(() => x.split([1.5, 2.5])).toThrow(
      new TypeError(
        "split: argument 'splitSizeOrSections' must be a non-negative integer or an array of them, got [1.5,2.5]",
      ),
    );
    expect(() => x.split('2' as any)).toThrow(
      new TypeError(
        "split: argument 'splitSizeOrSections' must be a non-negative integer or an array of them, got a string (2)",
      ),
    );
    expect(() => x.split(1, 2)).toThrow(
      new RangeError('split: dim 2 is out of range for a tensor of rank 2 (expected -2..1)'),
    );
    expect(() => tg.tensor(1).split(1)).toThrow(new RangeError('split: cannot split a 0-d tensor'));
  });
});

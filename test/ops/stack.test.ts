// stack: values at every new-dim position, 0-d inputs, dtype promotion, gradcheck, errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectGradcheck, leaf } from '../helpers.js';

describe('stack', () => {
  it('joins along a new dim at any position (-(ndim+1)..ndim)', () => {
    const a = tg.tensor([
        [1, 2],
        [3, 4],
      ]),
      b = tg.tensor([
        [5, 6],
        [7, 8],
      ]);
    expect(tg.stack([a, b]).toArray()).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ]);
    expect(tg.stack([a, b], 1).toArray()).toEqual([
      [
        [1, 2],
        [5, 6],
      ],
      [
        [3, 4],
        [7, 8],
      ],
    ]);
    expect(tg.stack([a, b], 2).toArray()).toEqual([
      [
        [1, 5],
        [2, 6],
      ],
      [
        [3, 7],
        [4, 8],
      ],
    ]);
    expect(tg.stack([a, b], -1).toArray()).toEqual(tg.stack([a, b], 2).toArray());
    expect(tg.stack([a, b], -3).toArray()).toEqual(tg.stack([a, b], 0).toArray());
  });
  it('0-d inputs give a 1-D result; size-0 inputs; promotion', () => {
    expect(tg.stack([tg.tensor(1), tg.tensor(2), tg.tensor(3)]).toArray()).toEqual([1, 2, 3]);
    expect(tg.stack([tg.zeros([0, 2]), tg.zeros([0, 2])], 1).shape).toEqual([0, 2, 2]);
    const y = tg.stack([tg.tensor([1], { dtype: 'int32' }), tg.tensor([1.5])]);
    expect(y.dtype).toBe('float32');
    expect(y.toArray()).toEqual([[1], [1.5]]);
  });
  it('gradcheck and gradgradcheck', () => {
    expectGradcheck((a: tg.Tensor, b: tg.Tensor) => tg.stack([a, b, a], 1), [leaf([2, 3]), leaf([2, 3], { seed: 2 })]);
    expectGradcheck((a: tg.Tensor, b: tg.Tensor) => tg.stack([a, b]), [leaf([]), leaf([], { seed: 5 })]);
    expect(
      tg.autograd.gradgradcheck(
        (a: tg.Tensor, b: tg.Tensor) => tg.stack([a, b], -1).pow(2),
        [leaf([2, 2]), leaf([2, 2], { seed: 4 })],
      ),
    ).toBe(true);
  });
  it('errors', () => {
    expect(() => tg.stack([])).toThrow(
      new RangeError("stack: argument 'tensors' must hold at least one Tensor, got an empty array"),
    );
    expect(() => tg.stack([tg.zeros([2]), tg.zeros([3])])).toThrow(
      new RangeError(
        "stack: argument 'tensors[1]' has shape [3] but all tensors must have the shape of tensors[0], [2]",
      ),
    );
    expect(() => tg.stack([tg.zeros([2])], 2)).toThrow(
      new RangeError('stack: dim 2 is out of range for tensors of rank 1 (expected -2..1)'),
    );
    expect(() => tg.stack([tg.zeros([2])], 0.5)).toThrow(new TypeError('stack: dim must be an integer, got 0.5'));
  });
});

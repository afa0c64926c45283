import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, flat, leaf } from '../helpers.js';
import { reduceRef } from './reduce_ref.js';

describe('min', () => {
  it('min() is the 0-d minimum; ties share the gradient evenly (as PyTorch)', () => {
    const x = tg.tensor(
      [
        [1, 5],
        [-2, -2],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const m = x.min();
    expect(m.shape).toEqual([]);
    expect(m.item()).toBe(-2);
    m.backward();
    expect(x.grad!.toArray()).toEqual([
      [0, 0],
      [0.5, 0.5],
    ]);
  });

  it('min(dim) returns values and int32 indices (first minimum); the gradient goes to the picked index', () => {
    const x = tg.tensor(
      [
        [1, -7, 3],
        [0, 2, 0],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const { values, indices } = x.min(1);
    expect(values.toArray()).toEqual([-7, 0]);
    expect(indices.toArray()).toEqual([1, 0]);
    expect(indices.dtype).toBe('int32');
    values.sum().backward();
    expect(x.grad!.toArray()).toEqual([
      [0, 1, 0],
      [1, 0, 0],
    ]);
    const kept = tg.min(x, -2, true);
    expect(kept.values.shape).toEqual([1, 3]);
    expect(kept.indices.toArray()).toEqual([[1, 0, 1]]);
  });

  it('values along every dim against the reference, native-sized too; NaN propagates', () => {
    const x = leaf([3, 4, 5]);
    for (const d of [0, 1, 2])
      expectClose(
        x.min(d).values,
        reduceRef(x, [d], (v) => Math.min(...v)),
        0,
        0,
      );
    const big = leaf([300, 100]);
    expectClose(big.min(), Math.min(...flat(big)), 0, 0);
    const n = tg.tensor([1, NaN, -3]);
    expect(n.min().item()).toBeNaN();
    expect(n.min(0).indices.item()).toBe(1);
  });

  it('gradcheck and gradgradcheck (distinct values)', () => {
    expectGradcheck((x: tg.Tensor) => x.min(), [leaf([3, 4])]);
    expectGradcheck((x: tg.Tensor) => x.min(1).values, [leaf([3, 4])]);
    expectGradcheck((x: tg.Tensor) => x.min(0, true).values, [leaf([3, 4])]);
    expect(tg.autograd.gradgradcheck((x: tg.Tensor) => x.min(1).values.mul(x.min(1).values), [leaf([3, 4])])).toBe(
      true,
    );
  });

  it('rejects an empty tensor and bad dims', () => {
    expect(() => tg.zeros([0]).min()).toThrow(
      new RangeError('min: cannot take the minimum of an empty tensor; give a dim'),
    );
    expect(() => tg.zeros([2]).min(1)).toThrow(
      new RangeError('min: dim 1 is out of range for a tensor of rank 1 (expected -1..0)'),
    );
    expect(() => tg.min(tg.zeros([2]), '0' as any)).toThrow(
      new TypeError("min: argument 'dim' must be a number, got a string (0)"),
    );
    expect(() => tg.zeros([2, 0]).min(1)).toThrow(
      new RangeError('min: cannot reduce over dim 1 of size 0 (shape [2, 0])'),
    );
  });
});

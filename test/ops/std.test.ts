import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, flat, leaf } from '../helpers.js';
import { reduceRef, subsets } from './reduce_ref.js';

const stdRef = (c: number) => (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(v.length - c, 0));
};

describe('std', () => {
  it('unbiased by default, every dim subset, keepdim, correction', () => {
    const x = leaf([2, 3, 4]);
    for (const dims of subsets(3).filter((d) => d.length > 0))
      expectClose(tg.std(x, dims), reduceRef(x, dims, stdRef(1)), 1e-15, 1e-13);
    expectClose(x.std().item(), stdRef(1)(flat(x)), 1e-15, 1e-13);
    expectClose(x.std(-1, { correction: 0, keepdim: true }), reduceRef(x, [2], stdRef(0)), 1e-15, 1e-13);
    expect(x.std(-1, true).shape).toEqual([2, 3, 1]);
    expect(tg.std(tg.tensor([2, 4, 4, 4, 5, 5, 7, 9], { dtype: 'float64' }), 0, { correction: 0 }).item()).toBe(2);
  });

  it('gradcheck and gradgradcheck', () => {
    expectGradcheck((t: tg.Tensor) => tg.std(t), [leaf([2, 3])]);
    expectGradcheck((t: tg.Tensor) => tg.std(t, 1, true), [leaf([2, 3, 2])]);
    expectGradcheck((t: tg.Tensor) => tg.std(t, [0, 2], { correction: 0 }), [leaf([2, 3, 2])]);
    expect(tg.autograd.gradgradcheck((t: tg.Tensor) => tg.std(t, 0), [leaf([4, 2])])).toBe(true);
  });

  it('gradient at zero spread is 0, as in PyTorch (std_backward masks result == 0)', () => {
    const x = tg.tensor([3, 3, 3], { dtype: 'float64', requiresGrad: true });
    tg.std(x).backward();
    expect(x.grad!.toArray()).toEqual([0, 0, 0]);
    // torch.tensor([[1., 1], [1, 2]]).std(1) → grad [[0, 0], [-0.7071, 0.7071]]; also where rounding leaves x − mean ≠ 0
    const y = tg.tensor(
      [
        [1, 1],
        [1, 2],
        [0.1, 0.1],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    tg.std(y, 1, true).sum().backward();
    expectClose(
      y.grad!,
      tg.tensor(
        [
          [0, 0],
          [-Math.SQRT1_2, Math.SQRT1_2],
          [0, 0],
        ],
        { dtype: 'float64' },
      ),
      1e-15,
      1e-15,
    );
  });

  it('rejects bad arguments with its own name', () => {
    expect(() => tg.std(tg.zeros([2]), 0, { correction: NaN })).toThrow(
      new TypeError("std: argument 'correction' must be a non-negative number, got a number (NaN)"),
    );
  });
});

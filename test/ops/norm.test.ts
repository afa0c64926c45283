import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, flat, leaf } from '../helpers.js';
import { reduceRef, subsets } from './reduce_ref.js';

const pnorm = (p: number) => (v: number[]) => {
  const a = v.map(Math.abs);
  if (p === Infinity) return Math.max(...a);
  if (p === -Infinity) return Math.min(...a);
  return a.reduce((s, x) => s + x ** p, 0) ** (1 / p);
};

describe('norm', () => {
  it('p = 2 by default; p = 1, 3, 0.5, ±Infinity; every dim subset; keepdim', () => {
    const x = leaf([2, 3, 4]);
    expectClose(tg.norm(x).item(), Math.hypot(...flat(x)), 1e-15, 1e-14);
    for (const p of [1, 2, 3, 0.5, Infinity, -Infinity])
      for (const dims of subsets(3).filter((d) => d.length > 0)) {
        expectClose(tg.norm(x, p, dims), reduceRef(x, dims, pnorm(p)), 1e-15, 1e-13);
        expect(tg.norm(x, p, dims, true).shape).toEqual(x.shape.map((s, d) => (dims.includes(d) ? 1 : s)));
      }
    expect(x.norm(1, -1).toArray()).toEqual(tg.norm(x, 1, 2).toArray());
    const big = leaf([300, 100]);
    expectClose(big.norm(2, 1), reduceRef(big, [1], pnorm(2)), 1e-14, 1e-13);
    expect(tg.norm(tg.tensor([3, 4], { dtype: 'int32' })).item()).toBe(5);
  });

  it('the 2-norm gradient at 0 is 0, not NaN (as PyTorch); so are the 1- and 3-norms', () => {
    for (const p of [2, 1, 3]) {
      const z = tg.zeros([2, 3], { dtype: 'float64', requiresGrad: true });
      tg.norm(z, p, 1).sum().backward();
      expect(z.grad!.toArray()).toEqual([
        [0, 0, 0],
        [0, 0, 0],
      ]);
    }
    const mixed = tg.tensor(
      [
        [0, 0],
        [3, 4],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    tg.norm(mixed, 2, 1).sum().backward();
    expect(mixed.grad!.toArray()).toEqual([
      [0, 0],
      [0.6, 0.8],
    ]);
  });

  it('the ∞-norm gradient is shared evenly among ties, with the sign of x', () => {
    const x = tg.tensor([3, -3, 1], { dtype: 'float64', requiresGrad: true });
    tg.norm(x, Infinity).backward();
    expect(x.grad!.toArray()).toEqual([0.5, -0.5, 0]);
  });

  it('gradcheck for each p (away from 0 and ties); gradgradcheck for p = 2 and 3', () => {
    for (const p of [1, 2, 3, 0.5, Infinity, -Infinity]) {
      expectGradcheck((t: tg.Tensor) => tg.norm(t, p), [leaf([2, 3])]);
      expectGradcheck((t: tg.Tensor) => tg.norm(t, p, 1, true), [leaf([2, 3, 2])]);
    }
    expect(tg.autograd.gradgradcheck((t: tg.Tensor) => tg.norm(t, 2, 0), [leaf([3, 2])])).toBe(true);
    expect(tg.autograd.gradgradcheck((t: tg.Tensor) => tg.norm(t, 3, 1), [leaf([3, 2])])).toBe(true);
  });

  it('rejects bad arguments', () => {
    expect(() => tg.norm([1] as any)).toThrow(new TypeError("norm: argument 'x' must be a Tensor, got an array"));
    expect(() => tg.norm(tg.zeros([2]), 0)).toThrow(
      new TypeError("norm: argument 'p' must be a positive number, Infinity or -Infinity, got a number (0)"),
    );
    expect(() => tg.norm(tg.zeros([2]), 'fro' as any)).toThrow(
      new TypeError("norm: argument 'p' must be a positive number, Infinity or -Infinity, got a string (fro)"),
    );
    expect(() => tg.norm(tg.zeros([2]), 2, 1)).toThrow(
      new RangeError('norm: dim 1 is out of range for a tensor of rank 1 (expected -1..0)'),
    );
  });
});

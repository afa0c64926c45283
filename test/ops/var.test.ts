import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, flat, leaf } from '../helpers.js';
import { reduceRef, subsets } from './reduce_ref.js';

/** Two-pass variance with divisor max(N − c, 0). */
const varRef = (c: number) => (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(v.length - c, 0);
};

describe('var', () => {
  it('unbiased by default, over every dim subset, keepdim as a boolean or an option', () => {
    const x = leaf([2, 3, 4]);
    for (const dims of subsets(3).filter((d) => d.length > 0)) {
      expectClose(tg.var(x, dims), reduceRef(x, dims, varRef(1)), 1e-15, 1e-13);
      expect(tg.var(x, dims, true).shape).toEqual(x.shape.map((s, d) => (dims.includes(d) ? 1 : s)));
      expect(tg.var(x, dims, { keepdim: true }).shape).toEqual(x.shape.map((s, d) => (dims.includes(d) ? 1 : s)));
    }
    expectClose(tg.var(x).item(), varRef(1)(flat(x)), 1e-15, 1e-13);
    expectClose(x.var(1, { correction: 0 }), reduceRef(x, [1], varRef(0)), 1e-15, 1e-13);
    expectClose(x.var(null, { correction: 2.5 }).item(), varRef(2.5)(flat(x)), 1e-15, 1e-13);
  });

  it('exact small cases; N − correction <= 0 gives NaN or inf (as PyTorch); integers give float32', () => {
    expect(tg.var(tg.tensor([1, 2, 3, 4], { dtype: 'float64' })).item()).toBeCloseTo(5 / 3, 15);
    expect(tg.var(tg.tensor([7], { dtype: 'float64' })).item()).toBeNaN();
    expect(tg.var(tg.tensor([1, 2], { dtype: 'float64' }), 0, { correction: 2 }).item()).toBe(Infinity);
    const i = tg.var(tg.tensor([1, 2, 3, 4], { dtype: 'int32' }));
    expect(i.dtype).toBe('float32');
    expect(i.item()).toBeCloseTo(5 / 3, 6);
  });

  it('two passes: a large offset costs no accuracy; native-sized float32', () => {
    const x = leaf([1000], { shift: 1e8 });
    expectClose(tg.var(x).item(), varRef(1)(flat(x)), 0, 1e-9);
    const big = leaf([300, 100]);
    expectClose(tg.var(big.float(), 0), reduceRef(big.float(), [0], varRef(1)), 1e-6, 1e-5);
  });

  it('gradcheck (one dim, several, all, correction 0) and gradgradcheck', () => {
    expectGradcheck((t: tg.Tensor) => tg.var(t), [leaf([2, 3])]);
    expectGradcheck((t: tg.Tensor) => tg.var(t, 1, true), [leaf([2, 3, 2])]);
    expectGradcheck((t: tg.Tensor) => tg.var(t, [0, 2], { correction: 0 }), [leaf([2, 3, 2])]);
    expect(tg.autograd.gradgradcheck((t: tg.Tensor) => tg.var(t, 0), [leaf([4, 2])])).toBe(true);
  });

  it('rejects bad arguments', () => {
    expect(() => tg.var([1] as any)).toThrow(new TypeError("var: argument 'x' must be a Tensor, got an array"));
    expect(() => tg.var(tg.zeros([2]), 0, { correction: -1 })).toThrow(
      new TypeError("var: argument 'correction' must be a non-negative number, got a number (-1)"),
    );
    expect(() => tg.var(tg.zeros([2]), 0, { keepdim: 1 as any })).toThrow(
      new TypeError("var: argument 'keepdim' must be a boolean, got a number (1)"),
    );
    expect(() => tg.var(tg.zeros([2]), 0, 5 as any)).toThrow(
      new TypeError(
        "var: argument 'options' must be a boolean (keepdim) or { correction?, keepdim? }, got a number (5)",
      ),
    );
    expect(() => tg.var(tg.zeros([2]), 3)).toThrow(
      new RangeError('var: dim 3 is out of range for a tensor of rank 1 (expected -1..0)'),
    );
  });
});

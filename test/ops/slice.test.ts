// slice: Python slicing semantics against Array.prototype.slice, steps, every dim, empty results,
// a large input, gradients (SliceBackward is itself differentiable), errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectGradcheck, leaf } from '../helpers.js';
import { refSlice, type Nested } from '../reference/indexing.js';

describe('slice', () => {
  it('matches Python slicing (negative and out-of-range bounds clamp) for many bounds and steps', () => {
    const x = tg.arange(7);
    const bounds = [null, -9, -7, -3, -1, 0, 1, 3, 6, 7, 12];
    for (const s of bounds)
      for (const e of bounds)
        for (const step of [1, 2, 3, 8])
          expect(x.slice(0, s, e, step).toArray()).toEqual(refSlice(x.toArray() as Nested, 0, s, e, step));
    expect(x.slice(0, 1, 5, 2).toArray()).toEqual([1, 3]);
    expect(x.slice(0, -3).toArray()).toEqual([4, 5, 6]);
    expect(x.slice(0, 5, 2).shape).toEqual([0]);
  });
  it('slices every dim of a 3-D tensor (negative dims too)', () => {
    const x = tg.arange(60).reshape([3, 4, 5]);
    const cases: [number, number | null, number | null, number][] = [
      [0, 1, null, 1],
      [1, -3, -1, 1],
      [2, 0, 5, 2],
      [-1, 1, 4, 2],
      [1, null, null, 3],
      [-3, 2, 3, 1],
    ];
    for (const [dim, s, e, step] of cases)
      expect(x.slice(dim, s, e, step).toArray()).toEqual(refSlice(x.toArray() as Nested, (dim + 3) % 3, s, e, step));
  });
  it('size-0 dims and empty results; the result is a copy', () => {
    expect(tg.zeros([2, 0, 3]).slice(1, 0, 5).shape).toEqual([2, 0, 3]);
    expect(tg.zeros([2, 3]).slice(1, 2, 1).shape).toEqual([2, 0]);
    const x = tg.arange(4);
    x.slice(0, 0, 2).add_(1);
    expect(x.toArray()).toEqual([0, 1, 2, 3]);
  });
  it('a large slice with a step (1e6 elements) is correct', () => {
    const x = tg.arange(1_000_000).reshape([1000, 1000]);
    const y = x.slice(1, 1, null, 2);
    expect(y.shape).toEqual([1000, 500]);
    expect([y.data[0], y.data[1], y.data[499], y.data[500], y.data[499_999]]).toEqual([1, 3, 999, 1001, 999_999]);
    const z = x.slice(0, -10, null, 3);
    expect(z.shape).toEqual([4, 1000]);
    expect(z.data[1000]).toBe(993_000);
  });
  it('gradcheck: the gradient is scattered into zeros; double backward works', () => {
    expectGradcheck((t: tg.Tensor) => t.slice(1, 1, null, 2), [leaf([3, 5])]);
    expectGradcheck((t: tg.Tensor) => t.slice(0, -2, null), [leaf([4, 2])]);
    expectGradcheck((t: tg.Tensor) => t.slice(-1, 0, 5, 3).mul(t.slice(-1, 1, 5, 3)), [leaf([2, 2, 5])]);
    expectGradcheck((t: tg.Tensor) => t.slice(0, 3, 1), [leaf([4])]);
    expect(tg.autograd.gradgradcheck((t: tg.Tensor) => t.slice(1, 0, 4, 2).pow(3), [leaf([2, 4])])).toBe(true);
    const x = leaf([5]);
    const y = x.slice(0, 1, null, 2);
    expect(y.gradFn?.name).toBe('SliceBackward');
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 1, 0, 1, 0]);
  });
  it('errors', () => {
    const x = tg.zeros([2, 3]);
    expect(() => x.slice(0, 0, 1, 0)).toThrow(new RangeError("slice: argument 'step' must be at least 1, got 0"));
    expect(() => x.slice(0, 0, 1, -1)).toThrow(new RangeError("slice: argument 'step' must be at least 1, got -1"));
    expect(() => x.slice(0, 0, 1, 1.5)).toThrow(
      new TypeError("slice: argument 'step' must be an integer, got a number (1.5)"),
    );
    expect(() => x.slice(0, 0.5, 1)).toThrow(
      new TypeError("slice: argument 'start' must be an integer (or null), got a number (0.5)"),
    );
    expect(() => x.slice(0, 0, '1' as any)).toThrow(
      new TypeError("slice: argument 'end' must be an integer (or null), got a string (1)"),
    );
    expect(() => x.slice(2, 0, 1)).toThrow(
      new RangeError('slice: dim 2 is out of range for a tensor of rank 2 (expected -2..1)'),
    );
    expect(() => tg.tensor(1).slice(0, 0, 1)).toThrow(new RangeError('slice: cannot slice a 0-d tensor'));
  });
});

// unsqueeze: inserted size-1 dim at every position, storage sharing, gradcheck, errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectGradcheck, leaf } from '../helpers.js';

describe('unsqueeze', () => {
  it('inserts a size-1 dim at dim (-(ndim+1)..ndim) and shares storage', () => {
    const x = tg.arange(6).reshape([2, 3]);
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 3]);
    expect(x.unsqueeze(1).shape).toEqual([2, 1, 3]);
    expect(x.unsqueeze(2).shape).toEqual([2, 3, 1]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(x.unsqueeze(-3).shape).toEqual([1, 2, 3]);
    expect(x.unsqueeze(1).data).toBe(x.data);
    expect(x.unsqueeze(1).toArray()).toEqual([[[0, 1, 2]], [[3, 4, 5]]]);
  });
  it('0-d and empty tensors', () => {
    expect(tg.tensor(2).unsqueeze(0).toArray()).toEqual([2]);
    expect(tg.tensor(2).unsqueeze(-1).shape).toEqual([1]);
    expect(tg.zeros([0]).unsqueeze(1).shape).toEqual([0, 1]);
  });
  it('gradcheck and gradgradcheck', () => {
    const x = leaf([2, 3]);
    expect(x.unsqueeze(1).gradFn?.name).toBe('UnsqueezeBackward');
    expectGradcheck((t: tg.Tensor) => t.unsqueeze(1).mul(t.unsqueeze(0)), [x]);
    expectGradcheck((t: tg.Tensor) => t.unsqueeze(0), [leaf([])]);
    expect(tg.autograd.gradgradcheck((t: tg.Tensor) => t.unsqueeze(-1).pow(2), [x])).toBe(true);
  });
  it('errors', () => {
    const x = tg.zeros([2, 3]);
    expect(() => x.unsqueeze(3)).toThrow(
      new RangeError('unsqueeze: dim 3 is out of range for a tensor of rank 2 (expected -3..2)'),
    );
    expect(() => x.unsqueeze(-4)).toThrow(
      new RangeError('unsqueeze: dim -4 is out of range for a tensor of rank 2 (expected -3..2)'),
    );
    expect(() => x.unsqueeze(1.5)).toThrow(new TypeError('unsqueeze: dim must be an integer, got 1.5'));
    expect(() => (x as any).unsqueeze()).toThrow(
      new TypeError("unsqueeze: argument 'dim' must be a number, got undefined"),
    );
  });
});

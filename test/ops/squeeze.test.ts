// squeeze: all size-1 dims or the named ones, storage sharing, gradcheck, errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectGradcheck, leaf } from '../helpers.js';

describe('squeeze', () => {
  it('removes every size-1 dim when dim is omitted, and shares storage', () => {
    const x = tg.arange(6).reshape([1, 2, 1, 3, 1]);
    const y = x.squeeze();
    expect(y.shape).toEqual([2, 3]);
    expect(y.data).toBe(x.data);
    expect(y.toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(tg.ones([1, 1]).squeeze().shape).toEqual([]);
  });
  it('removes only the named dims (a number or an array, negative from the end); non-1 dims are left alone', () => {
    const x = tg.zeros([1, 2, 1, 3, 1]);
    expect(x.squeeze(0).shape).toEqual([2, 1, 3, 1]);
    expect(x.squeeze(-1).shape).toEqual([1, 2, 1, 3]);
    expect(x.squeeze([0, 2]).shape).toEqual([2, 3, 1]);
    expect(x.squeeze(1)).toBe(x);
    expect(x.squeeze([1, 3])).toBe(x);
  });
  it('0-d and empty tensors', () => {
    const s = tg.tensor(3);
    expect(s.squeeze()).toBe(s);
    expect(s.squeeze(0)).toBe(s);
    expect(tg.zeros([0, 1]).squeeze().shape).toEqual([0]);
  });
  it('gradcheck and gradgradcheck', () => {
    const x = leaf([1, 3, 1, 2]);
    expect(x.squeeze().gradFn?.name).toBe('SqueezeBackward');
    expectGradcheck((t: tg.Tensor) => t.squeeze(), [x]);
    expectGradcheck((t: tg.Tensor) => t.squeeze(2).mul(t.squeeze(2)), [x]);
    expect(tg.autograd.gradgradcheck((t: tg.Tensor) => t.squeeze().pow(2), [x])).toBe(true);
  });
  it('errors', () => {
    const x = tg.zeros([1, 2]);
    expect(() => x.squeeze(2)).toThrow(
      new RangeError('squeeze: dim 2 is out of range for a tensor of rank 2 (expected -2..1)'),
    );
    expect(() => x.squeeze([0, -2])).toThrow(new RangeError('squeeze: dim 0 appears more than once in [0,-2]'));
    expect(() => x.squeeze('0' as any)).toThrow(
      new TypeError('squeeze: dim must be a number or an array of numbers, got a string (0)'),
    );
  });
});

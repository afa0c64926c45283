// flatten: values, storage sharing, 0-d and empty tensors, gradcheck, errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectGradcheck, leaf } from '../helpers.js';

describe('flatten', () => {
  it('merges startDim..endDim (negative dims count from the end) and shares storage', () => {
    const x = tg.arange(24).reshape([2, 3, 4]);
    expect(x.flatten().shape).toEqual([24]);
    expect(x.flatten(1).shape).toEqual([2, 12]);
    expect(x.flatten(0, 1).shape).toEqual([6, 4]);
    expect(x.flatten(-2, -1).shape).toEqual([2, 12]);
    expect(tg.flatten(x, 1, 1)).toBe(x);
    const y = x.flatten(1);
    expect(y.data).toBe(x.data);
    expect(y.toArray()).toEqual([
      Array.from({ length: 12 }, (_, i) => i),
      Array.from({ length: 12 }, (_, i) => i + 12),
    ]);
    expect(y.gradFn).toBe(null);
  });
  it('shares the version counter, so an in-place write through the view is seen by saved tensors', () => {
    const x = tg.zeros([2, 3]);
    x.flatten().add_(1);
    expect(x.version).toBe(1);
    expect(Array.from(x.data)).toEqual([1, 1, 1, 1, 1, 1]);
  });
  it('0-d gives [1]; size-0 dims are kept', () => {
    expect(tg.tensor(5).flatten().shape).toEqual([1]);
    expect(tg.tensor(5).flatten().toArray()).toEqual([5]);
    expect(tg.zeros([2, 0, 3]).flatten().shape).toEqual([0]);
    expect(tg.zeros([2, 0, 3]).flatten(0, 1).shape).toEqual([0, 3]);
  });
  it('gradcheck, gradgradcheck, and the node is named FlattenBackward', () => {
    const x = leaf([2, 3, 2]);
    expect(x.flatten(1).gradFn?.name).toBe('FlattenBackward');
    expectGradcheck((t: tg.Tensor) => t.flatten(1).mul(t.flatten(1)), [x]);
    expectGradcheck((t: tg.Tensor) => t.flatten(), [leaf([])]);
    expect(tg.autograd.gradgradcheck((t: tg.Tensor) => t.flatten(0, 1).pow(2), [x])).toBe(true);
  });
  it('errors', () => {
    const x = tg.zeros([2, 3, 4]);
    expect(() => x.flatten(2, 1)).toThrow(
      new RangeError('flatten: startDim 2 must not come after endDim 1 for a tensor of rank 3'),
    );
    expect(() => x.flatten(3)).toThrow(
      new RangeError('flatten: dim 3 is out of range for a tensor of rank 3 (expected -3..2)'),
    );
    expect(() => x.flatten(0.5)).toThrow(new TypeError('flatten: dim must be an integer, got 0.5'));
    expect(() => tg.flatten([1, 2] as any)).toThrow(
      new TypeError("flatten: argument 'x' must be a Tensor, got an array"),
    );
  });
});

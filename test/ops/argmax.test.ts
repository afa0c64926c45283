// argmax and argmin (argmin.test.ts is the mirror).
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';

describe('argmax', () => {
  it('flat index without a dim; along a dim with keepdim; first of ties; NaN wins', () => {
    const x = tg.tensor(
      [
        [1, 9, 3],
        [9, 2, 0],
      ],
      { dtype: 'float64' },
    );
    const a = tg.argmax(x);
    expect(a.dtype).toBe('int32');
    expect(a.shape).toEqual([]);
    expect(a.item()).toBe(1);
    expect(x.argmax(1).toArray()).toEqual([1, 0]);
    expect(x.argmax(0, true).toArray()).toEqual([[1, 0, 0]]);
    expect(x.argmax(-1, true).shape).toEqual([2, 1]);
    expect(tg.argmax(x, null, true).shape).toEqual([1, 1]);
    expect(tg.argmax(tg.tensor([1, NaN, 5, NaN])).item()).toBe(1);
    expect(tg.argmax(tg.tensor(4)).item()).toBe(0);
    expect(tg.argmax(tg.tensor(4), 0).item()).toBe(0);
    expect(tg.argmax(tg.tensor([3, 7, 7], { dtype: 'int32' })).item()).toBe(1);
  });

  it('agrees with max(dim).indices on a native-sized tensor and is not differentiable', () => {
    tg.manualSeed(3);
    const x = tg.randn([200, 100], { requiresGrad: true });
    expect(x.argmax(0).toArray()).toEqual(x.max(0).indices.toArray());
    expect(x.argmax().requiresGrad).toBe(false);
  });

  it('rejects bad arguments', () => {
    expect(() => tg.argmax([1] as any)).toThrow(new TypeError("argmax: argument 'x' must be a Tensor, got an array"));
    expect(() => tg.argmax(tg.zeros([0]))).toThrow(
      new RangeError('argmax: cannot take the argmax of an empty tensor; give a dim'),
    );
    expect(() => tg.argmax(tg.zeros([2, 0]), 1)).toThrow(
      new RangeError('argmax: cannot reduce over dim 1 of size 0 (shape [2, 0])'),
    );
    expect(() => tg.argmax(tg.zeros([2]), 1)).toThrow(
      new RangeError('argmax: dim 1 is out of range for a tensor of rank 1 (expected -1..0)'),
    );
    expect(() => tg.argmax(tg.zeros([2]), 0, 'yes' as any)).toThrow(
      new TypeError("argmax: argument 'keepdim' must be a boolean, got a string (yes)"),
    );
  });
});

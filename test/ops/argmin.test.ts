import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';

describe('argmin', () => {
  it('flat index without a dim; along a dim with keepdim; first of ties; NaN wins', () => {
    const x = tg.tensor(
      [
        [1, -9, 3],
        [-9, 2, 0],
      ],
      { dtype: 'float64' },
    );
    expect(tg.argmin(x).item()).toBe(1);
    expect(tg.argmin(x).dtype).toBe('int32');
    expect(x.argmin(1).toArray()).toEqual([1, 0]);
    expect(x.argmin(0, true).toArray()).toEqual([[1, 0, 1]]);
    expect(tg.argmin(tg.tensor([1, NaN, -5])).item()).toBe(1);
  });

  it('agrees with min(dim).indices on a native-sized tensor', () => {
    tg.manualSeed(4);
    const x = tg.randn([100, 200]);
    expect(x.argmin(1).toArray()).toEqual(x.min(1).indices.toArray());
  });

  it('rejects bad arguments', () => {
    expect(() => tg.argmin(tg.zeros([0]))).toThrow(
      new RangeError('argmin: cannot take the argmin of an empty tensor; give a dim'),
    );
    expect(() => tg.argmin(tg.zeros([2]), '0' as any)).toThrow(
      new TypeError("argmin: argument 'dim' must be a number, got a string (0)"),
    );
  });
});

// reshape, transpose, t, permute, expand: values, storage sharing, gradcheck, errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectGradcheck, leaf } from '../helpers.js';

describe('reshape', () => {
  it('keeps the elements in order, infers one -1, and shares storage', () => {
    const x = tg.arange(6);
    const y = x.reshape([2, -1]);
    expect(y.shape).toEqual([2, 3]);
    expect(y.toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(y.data).toBe(x.data);
    expect(x.reshape([6])).toBe(x);
  });
  it('gradcheck', () => expectGradcheck((x: tg.Tensor) => x.reshape([3, 2]).mul(x.reshape([3, 2])), [leaf([2, 3])]));
  it('rejects a wrong element count or two -1', () => {
    expect(() => tg.zeros([2, 3]).reshape([4, 2])).toThrow(
      new RangeError('reshape: shape [4, 2] is invalid for a tensor of shape [2, 3] (6 elements)'),
    );
    expect(() => tg.zeros([2, 3]).reshape([-1, -1])).toThrow(
      new RangeError('reshape: only one dimension can be -1, got [-1,-1]'),
    );
    expect(() => tg.zeros([2, 3]).reshape('6' as any)).toThrow(TypeError);
  });
});

describe('transpose / t / permute', () => {
  it('values', () => {
    const x = tg.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(x.t().toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(x.transpose(0, -1).toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    const z = tg.arange(24).reshape([2, 3, 4]);
    const p = z.permute([2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    expect((p.toArray() as number[][][])[3][1][2]).toBe(1 * 12 + 2 * 4 + 3);
    expect(tg.tensor([1, 2]).t().toArray()).toEqual([1, 2]);
  });
  it('gradcheck', () => {
    expectGradcheck((x: tg.Tensor) => x.t(), [leaf([2, 3])]);
    expectGradcheck((x: tg.Tensor) => x.transpose(0, 2), [leaf([2, 3, 2])]);
    expectGradcheck((x: tg.Tensor) => x.permute([1, 2, 0]), [leaf([2, 3, 2])]);
  });
  it('errors', () => {
    expect(() => tg.zeros([2, 2, 2]).t()).toThrow(
      new RangeError('t: expects a tensor of rank <= 2, got shape [2, 2, 2]; use transpose(dim0, dim1)'),
    );
    expect(() => tg.zeros([2, 2]).permute([0, 0])).toThrow(
      new RangeError("permute: argument 'dims' repeats a dim: [0,0]"),
    );
    expect(() => tg.zeros([2, 2]).transpose(0, 2)).toThrow(
      new RangeError('transpose: dim 2 is out of range for a tensor of rank 2 (expected -2..1)'),
    );
  });
});

describe('expand', () => {
  it('broadcasts to a larger shape; -1 keeps a dim', () => {
    const x = tg.tensor([[1], [2]]);
    expect(x.expand([2, 3]).toArray()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    expect(x.expand([2, -1, 2]).shape).toEqual([2, 2, 2]);
  });
  it('gradcheck (the gradient is summed back)', () =>
    expectGradcheck((x: tg.Tensor) => x.expand([4, 2, 3]), [leaf([2, 1])]));
  it('rejects a non-broadcastable shape', () => {
    expect(() => tg.zeros([2, 3]).expand([2, 4])).toThrow(
      new RangeError('expand: cannot expand shape [2, 3] to [2, 4] (dim 1 is 3, not 1)'),
    );
  });
});

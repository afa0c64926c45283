// sum, mean, max: forward values against a reference over every dim subset, keepdim, gradcheck.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, flat, leaf } from '../helpers.js';
import { reduceRef, subsets } from './reduce_ref.js';

const sumRef = (v: number[]) => v.reduce((a, b) => a + b, 0);
const meanRef = (v: number[]) => sumRef(v) / v.length;

describe.each([
  ['sum', tg.sum, sumRef],
  ['mean', tg.mean, meanRef],
] as const)('%s', (name, op, ref) => {
  it('over every subset of dims of a 3-d tensor, with and without keepdim', () => {
    const x = leaf([2, 3, 4]);
    for (const dims of subsets(3)) {
      if (dims.length === 0) continue;
      const y = op(x, dims, false);
      expect(y.shape).toEqual(x.shape.filter((_, d) => !dims.includes(d)));
      expectClose(y, reduceRef(x, dims, ref), 1e-14, 1e-13);
      expect(op(x, dims, true).shape).toEqual(x.shape.map((s, d) => (dims.includes(d) ? 1 : s)));
    }
  });

  it('all dims by default, a 0-d result; negative dims count from the end', () => {
    const x = leaf([3, 4]);
    expect(op(x).shape).toEqual([]);
    expectClose(op(x).item(), ref(flat(x)), 1e-14, 1e-13);
    expectClose(op(x, -1), op(x, 1));
  });

  it('native-sized inputs (float32 accumulates accurately)', () => {
    const x = leaf([300, 200], { seed: 5 });
    expectClose(op(x, 0), reduceRef(x, [0], ref), 1e-12, 1e-12);
    expectClose(op(x, [0, 1]).item(), ref(flat(x)), 1e-10, 1e-12);
    expectClose(op(x.float(), 1), reduceRef(x.float(), [1], ref), 1e-5, 1e-5);
  });

  it('gradcheck over one dim, several dims and all, with keepdim', () => {
    expectGradcheck((x: tg.Tensor) => op(x), [leaf([2, 3])]);
    expectGradcheck((x: tg.Tensor) => op(x, 1), [leaf([2, 3, 2])]);
    expectGradcheck((x: tg.Tensor) => op(x, [0, 2], true), [leaf([2, 3, 2])]);
    expect(tg.autograd.gradgradcheck((x: tg.Tensor) => op(x, 0).mul(op(x, 0)), [leaf([3, 2])])).toBe(true);
  });

  it('rejects bad dims', () => {
    expect(() => op(tg.zeros([2, 3]), 2)).toThrow(
      new RangeError(`${name}: dim 2 is out of range for a tensor of rank 2 (expected -2..1)`),
    );
    expect(() => op(tg.zeros([2, 3]), [0, 0])).toThrow(
      new RangeError(`${name}: dim 0 appears more than once in [0,0]`),
    );
    expect(() => op(tg.zeros([2]), 0.5)).toThrow(new TypeError(`${name}: dim must be an integer, got 0.5`));
  });
});

describe('max', () => {
  it('max() is the 0-d maximum; ties share the gradient evenly (as PyTorch)', () => {
    const x = tg.tensor(
      [
        [1, 5],
        [5, 2],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const m = x.max();
    expect(m.shape).toEqual([]);
    expect(m.item()).toBe(5);
    m.backward();
    expect(x.grad!.toArray()).toEqual([
      [0, 0.5],
      [0.5, 0],
    ]);
  });

  it('max(dim) returns values and int32 indices; the gradient goes to the picked index', () => {
    const x = tg.tensor(
      [
        [1, 7, 3],
        [9, 2, 9],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const { values, indices } = x.max(1);
    expect(values.toArray()).toEqual([7, 9]);
    expect(indices.toArray()).toEqual([1, 0]);
    expect(indices.dtype).toBe('int32');
    expect(indices.requiresGrad).toBe(false);
    values.sum().backward();
    expect(x.grad!.toArray()).toEqual([
      [0, 1, 0],
      [1, 0, 0],
    ]);
    const kept = x.max(0, true);
    expect(kept.values.shape).toEqual([1, 3]);
    expect(kept.indices.toArray()).toEqual([[1, 0, 1]]);
  });

  it('propagates NaN', () => {
    const x = tg.tensor([1, NaN, 3]);
    expect(x.max().item()).toBeNaN();
    expect(x.max(0).indices.item()).toBe(1);
  });

  it('gradcheck (distinct values)', () => {
    expectGradcheck((x: tg.Tensor) => x.max(), [leaf([3, 4])]);
    expectGradcheck((x: tg.Tensor) => x.max(1).values, [leaf([3, 4])]);
    expectGradcheck((x: tg.Tensor) => x.max(0, true).values, [leaf([3, 4])]);
  });

  it('native-sized values agree with the reference', () => {
    const x = leaf([300, 100]);
    expectClose(x.max(), Math.max(...flat(x)));
  });

  it('rejects an empty tensor and bad dims', () => {
    expect(() => tg.zeros([0]).max()).toThrow(
      new RangeError('max: cannot take the maximum of an empty tensor; give a dim'),
    );
    expect(() => tg.zeros([2]).max(1)).toThrow(
      new RangeError('max: dim 1 is out of range for a tensor of rank 1 (expected -1..0)'),
    );
  });
});

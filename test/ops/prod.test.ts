// prod: values over every dim subset, keepdim, and gradients that stay exact with zeros (one zero: the
// product of the others at the zero; two or more: 0), first and second order.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, flat, leaf } from '../helpers.js';
import { reduceRef, subsets } from './reduce_ref.js';

const prodRef = (v: number[]) => v.reduce((a, b) => a * b, 1);

describe('prod', () => {
  it('over every subset of dims of a 3-d tensor, keepdim, all dims by default, native-sized', () => {
    const x = leaf([2, 3, 4]);
    for (const dims of subsets(3).filter((d) => d.length > 0)) {
      expectClose(tg.prod(x, dims), reduceRef(x, dims, prodRef), 1e-15, 1e-13);
      expect(tg.prod(x, dims, true).shape).toEqual(x.shape.map((s, d) => (dims.includes(d) ? 1 : s)));
    }
    expect(tg.prod(x).shape).toEqual([]);
    expectClose(tg.prod(x).item(), prodRef(flat(x)), 1e-15, 1e-13);
    const big = leaf([200, 100], { scale: 0.1, shift: 1 });
    expectClose(tg.prod(big, 1), reduceRef(big, [1], prodRef), 0, 1e-12);
    expect(x.prod(-1).toArray()).toEqual(tg.prod(x, 2).toArray());
    expect(
      tg
        .prod(
          tg.tensor(
            [
              [2, 3],
              [4, 5],
            ],
            { dtype: 'int32' },
          ),
          0,
        )
        .toArray(),
    ).toEqual([8, 15]);
    expect(tg.prod(tg.zeros([0, 3]), 0).toArray()).toEqual([1, 1, 1]);
  });

  it('gradient with no zero, one zero and two zeros in a slice (exact values)', () => {
    const x = tg.tensor(
      [
        [2, 3, 4],
        [2, 0, 5],
        [0, 3, 0],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    tg.prod(x, 1).sum().backward();
    expect(x.grad!.toArray()).toEqual([
      [12, 8, 6],
      [0, 10, 0],
      [0, 0, 0],
    ]);
    const y = tg.tensor([1.5, 0, -2], { dtype: 'float64', requiresGrad: true });
    y.prod().backward();
    expect(y.grad!.toArray()).toEqual([-0, -3, 0]);
  });

  it('gradcheck with one and two zeros, over one dim, several and all', () => {
    const one = tg.tensor(
      [
        [1.5, 0, -2, 0.7],
        [0.3, 1.1, 0, 2],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const two = tg.tensor(
      [
        [1.5, 0, -2, 0],
        [0, 1.1, 0, 2],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    for (const x of [one, two, leaf([2, 4])]) {
      expectGradcheck((t: tg.Tensor) => tg.prod(t, 1), [x]);
      expectGradcheck((t: tg.Tensor) => tg.prod(t, 0, true), [x]);
      expectGradcheck((t: tg.Tensor) => tg.prod(t), [x]);
    }
    const x3 = leaf([2, 3, 2]);
    x3.data[4] = 0;
    expectGradcheck((t: tg.Tensor) => tg.prod(t, [0, 2]), [x3]);
  });

  it('gradgradcheck (second derivatives exact with zeros too)', () => {
    const one = tg.tensor(
      [
        [1.5, 0, -2, 0.7],
        [0.3, 1.1, 0, 2],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const two = tg.tensor(
      [
        [1.5, 0, -2, 0],
        [0, 1.1, 0, 2],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    for (const x of [one, two, leaf([3, 3])]) {
      expect(tg.autograd.gradgradcheck((t: tg.Tensor) => tg.prod(t, 1), [x])).toBe(true);
      expect(tg.autograd.gradgradcheck((t: tg.Tensor) => tg.prod(t, [0, 1]), [x])).toBe(true);
    }
    expect(tg.autograd.gradgradcheck((t: tg.Tensor) => tg.prod(t, 0), [leaf([3, 2, 2])])).toBe(true);
  });

  it('third derivatives are refused with a clear error', () => {
    const x = leaf([3]);
    const [g] = tg.autograd.grad([tg.prod(x)], [x], { createGraph: true });
    const [h] = tg.autograd.grad([g!.sum()], [x], { createGraph: true });
    expect(() => h!.sum().backward()).toThrow('prod: derivatives of order three and higher are not implemented');
  });

  it('rejects bad arguments', () => {
    expect(() => tg.prod([1] as any)).toThrow(new TypeError("prod: argument 'x' must be a Tensor, got an array"));
    expect(() => tg.prod(tg.zeros([2, 3]), 2)).toThrow(
      new RangeError('prod: dim 2 is out of range for a tensor of rank 2 (expected -2..1)'),
    );
    expect(() => tg.prod(tg.zeros([2]), 0, 1 as any)).toThrow(
      new TypeError("prod: argument 'keepdim' must be a boolean, got a number (1)"),
    );
  });
});

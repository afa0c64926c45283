// Shared checks for maximum and minimum (their shared backward lives in lib/ops/maximum.ts); called by
// maximum.test.ts and minimum.test.ts.
import { expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, flat, leaf } from '../helpers.js';

export function extremumCases(
  name: 'maximum' | 'minimum',
  op: (a: tg.TensorLike, b: tg.TensorLike) => tg.Tensor,
  ref: (a: number, b: number) => number,
  method: (x: tg.Tensor, o: tg.TensorLike) => tg.Tensor,
): void {
  it('values with broadcasting, numbers on either side, small and native-sized', () => {
    const a = leaf([3, 1, 4], { seed: 1 }),
      b = leaf([5, 1], { seed: 2 });
    const y = op(a, b);
    expect(y.shape).toEqual([3, 5, 4]);
    const av = flat(a),
      bv = flat(b);
    const want: number[] = [];
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 5; j++) for (let k = 0; k < 4; k++) want.push(ref(av[i * 4 + k], bv[j]));
    expectClose(y, want, 0, 0);
    expectClose(
      op(0.25, a),
      flat(a).map((v) => ref(v, 0.25)),
      0,
      0,
    );
    const big = leaf([200, 100]);
    expectClose(
      op(big, 0.1),
      flat(big).map((v) => ref(v, 0.1)),
      0,
      0,
    );
    expect(method(a, b).toArray()).toEqual(y.toArray());
  });

  it('NaN propagates', () => {
    expect(op(tg.tensor([NaN, 1], { dtype: 'float64' }), tg.tensor([0, NaN], { dtype: 'float64' })).toArray()).toEqual([
      NaN,
      NaN,
    ]);
  });

  it('gradient: the chosen side gets g, ties split it equally (as PyTorch), summed back over broadcasting', () => {
    const a = tg.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const b = tg.tensor([3, 2, 1], { dtype: 'float64', requiresGrad: true });
    op(a, b).backward(tg.tensor([10, 20, 30], { dtype: 'float64' }));
    const isMax = name === 'maximum';
    expect(a.grad!.toArray()).toEqual(isMax ? [0, 10, 30] : [10, 10, 0]);
    expect(b.grad!.toArray()).toEqual(isMax ? [10, 10, 0] : [0, 10, 30]);
    const s = tg.tensor(2, { dtype: 'float64', requiresGrad: true });
    op(a.detach(), s).sum().backward();
    expect(s.grad!.item()).toBe(isMax ? 1.5 : 1.5);
  });

  it('gradcheck with broadcasting and a number; gradgradcheck', () => {
    const a = leaf([2, 3], { seed: 3 }),
      b = leaf([3], { seed: 4 });
    expectGradcheck((x: tg.Tensor, y: tg.Tensor) => op(x, y), [a, b]);
    expectGradcheck((x: tg.Tensor) => op(x, 0.3), [a]);
    expect(tg.autograd.gradgradcheck((x: tg.Tensor, y: tg.Tensor) => op(x, y).mul(x), [a, b])).toBe(true);
  });

  it('rejects bad operands', () => {
    expect(() => op('a' as any, tg.zeros([1]))).toThrow(
      new TypeError(`${name}: argument 'a' must be a Tensor or a number, got a string (a)`),
    );
    expect(() => op(1, 2)).toThrow(new TypeError(`${name}: at least one of 'a' and 'b' must be a Tensor`));
    expect(() => op(tg.zeros([2]), tg.zeros([3]))).toThrow(RangeError);
  });
}

// where: values with broadcasting among condition, a and b, numbers as operands, int32 conditions,
// dtypes, gradients summed back to each input's shape, errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, leaf } from '../helpers.js';
import { broadcastAt, unravel } from '../reference/indexing.js';

function refWhere(c: tg.Tensor, a: tg.Tensor, b: tg.Tensor, shape: number[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < shape.reduce((p, d) => p * d, 1); k++) {
    const idx = unravel(k, shape);
    out.push(broadcastAt(c, idx) ? broadcastAt(a, idx) : broadcastAt(b, idx));
  }
  return out;
}

const mask = (v: boolean[] | boolean[][] | boolean[][][]) => tg.tensor(v);

describe('where', () => {
  it('picks a where the condition holds, b elsewhere', () => {
    const c = mask([true, false, true]);
    expect(tg.where(c, tg.tensor([1, 2, 3]), tg.tensor([4, 5, 6])).toArray()).toEqual([1, 5, 3]);
    expect(
      tg
        .tensor([1, 2, 3])
        .where(c, tg.tensor([4, 5, 6]))
        .toArray(),
    ).toEqual([1, 5, 3]);
  });
  it('broadcasts among all three (reference)', () => {
    const cases: [number[], number[], number[], number[]][] = [
      [[2, 3], [3], [2, 1], [2, 3]],
      [[3, 1], [1, 4], [], [3, 4]],
      [[1], [2, 1, 3], [4, 1], [2, 4, 3]],
      [
        [2, 1, 1],
        [1, 3, 1],
        [1, 1, 4],
        [2, 3, 4],
      ],
    ];
    for (const [cs, as, bs, out] of cases) {
      const c = leaf(cs, { seed: 1 }).detach().gt(0);
      const a = leaf(as, { seed: 2 }),
        b = leaf(bs, { seed: 3 });
      const y = tg.where(c, a, b);
      expect(y.shape).toEqual(out);
      expectClose(y, refWhere(c, a, b, out), 0, 0);
    }
  });
  it('numbers as operands, int32 0/1 (nonzero) conditions, dtypes', () => {
    const c = mask([true, false]);
    expect(tg.where(c, tg.tensor([1, 2]), 0).toArray()).toEqual([1, 0]);
    expect(tg.where(c, -1, tg.tensor([1, 2])).toArray()).toEqual([-1, 2]);
    const both = tg.where(c, 1.5, 2);
    expect([both.dtype, both.toArray()]).toEqual(['float32', [1.5, 2]]);
    expect(tg.where(tg.tensor([0, 1, 2], { dtype: 'int32' }), tg.tensor([1, 1, 1]), 0).toArray()).toEqual([0, 1, 1]);
    expect(tg.where(c, tg.tensor([1, 2], { dtype: 'int32' }), 0.5).dtype).toBe('float32');
    expect(tg.where(c, tg.tensor([1, 2], { dtype: 'int32' }), 7).dtype).toBe('int32');
    expect(tg.where(c, tg.tensor([1, 2], { dtype: 'int32' }), tg.tensor([1, 2], { dtype: 'float64' })).dtype).toBe(
      'float64',
    );
    expect(tg.where(c, tg.tensor([true, true]), 0).toArray()).toEqual([true, false]);
    expect(tg.where(tg.zeros([0], { dtype: 'bool' }), tg.zeros([0]), 1).shape).toEqual([0]);
    expect(tg.where(tg.tensor(true), tg.tensor(3), 4).toArray()).toEqual(3);
  });
  it('gradcheck: gradients go to a where true, to b where false, summed back over broadcast dims', () => {
    const c = mask([
      [true, false, true],
      [false, false, true],
    ]);
    expectGradcheck((a: tg.Tensor, b: tg.Tensor) => tg.where(c, a, b), [leaf([2, 3]), leaf([2, 3], { seed: 4 })]);
    expectGradcheck((a: tg.Tensor, b: tg.Tensor) => tg.where(c, a, b), [leaf([3]), leaf([2, 1], { seed: 4 })]);
    expectGradcheck((a: tg.Tensor) => tg.where(mask([true, false]).reshape([2, 1]), a, 0), [leaf([1, 3])]);
    expectGradcheck((b: tg.Tensor) => tg.where(c, 2, b), [leaf([])]);
    expect(
      tg.autograd.gradgradcheck(
        (a: tg.Tensor, b: tg.Tensor) => tg.where(c, a.pow(2), b.mul(a)),
        [leaf([2, 3]), leaf([3], { seed: 4 })],
      ),
    ).toBe(true);
    const a = leaf([2]),
      b = leaf([2], { seed: 9 });
    tg.where(mask([true, false]), a, b)
      .sum()
      .backward();
    expect([a.grad!.toArray(), b.grad!.toArray()]).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });
  it('float32 operands keep float32 gradients', () => {
    const a = tg.tensor([1, 2], { requiresGrad: true });
    const b = tg.tensor([3, 4], { dtype: 'float64', requiresGrad: true });
    const y = tg.where(mask([false, true]), a, b);
    expect(y.dtype).toBe('float64');
    y.sum().backward();
    expect([a.grad!.dtype, a.grad!.toArray(), b.grad!.toArray()]).toEqual(['float32', [0, 1], [1, 0]]);
  });
  it('a condition changed in place after forward makes backward fail', () => {
    const c = tg.tensor([1, 0], { dtype: 'int32' });
    const y = tg.where(c, leaf([2]), 0);
    c.mul_(0);
    expect(() => y.sum().backward()).toThrow(
      /WhereBackward: one of the tensors needed for gradient computation has been modified by an in-place operation/,
    );
  });
  it('errors', () => {
    expect(() => tg.where(tg.tensor([1, 0]), 1, 0)).toThrow(
      new TypeError("where: argument 'condition' must be a bool Tensor (or int32 0/1), got dtype float32"),
    );
    expect(() => tg.where([true] as any, 1, 0)).toThrow(
      new TypeError("where: argument 'condition' must be a bool Tensor, got an array"),
    );
    expect(() => tg.where(mask([true]), 'a' as any, 0)).toThrow(
      new TypeError("where: argument 'a' must be a Tensor or a number, got a string (a)"),
    );
    expect(() => tg.where(mask([true, false]), tg.zeros([3]), 0)).toThrow(
      new RangeError('where: shapes [2] and [3] cannot be broadcast together (dim -1 is 2 vs 3)'),
    );
  });
});

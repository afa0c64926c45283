// gt lt ge le eq ne: values against JS operators with broadcasting and numbers, bool results that
// never require grad, NaN, float32 rounding of number operands, errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { leaf } from '../helpers.js';
import { broadcastAt, unravel } from '../reference/indexing.js';

type Cmp = (a: tg.TensorLike, b: tg.TensorLike) => tg.Tensor;
const cases: [string, Cmp, (x: number, y: number) => boolean][] = [
  ['gt', tg.gt, (x, y) => x > y],
  ['lt', tg.lt, (x, y) => x < y],
  ['ge', tg.ge, (x, y) => x >= y],
  ['le', tg.le, (x, y) => x <= y],
  ['eq', tg.eq, (x, y) => x === y],
  ['ne', tg.ne, (x, y) => x !== y],
];

describe.each(cases)('%s', (name, op, ref) => {
  it('tensor vs tensor with broadcasting (values with ties and NaN)', () => {
    const a = tg.tensor(
      [
        [1, 2, NaN],
        [3, 3, 0],
      ],
      { dtype: 'float64' },
    );
    const b = tg.tensor([2, 3, NaN], { dtype: 'float64' });
    const y = op(a, b);
    expect(y.dtype).toBe('bool');
    expect(y.data).toBeInstanceOf(Uint8Array);
    const want: number[] = [];
    for (let k = 0; k < 6; k++) {
      const idx = unravel(k, [2, 3]);
      want.push(ref(broadcastAt(a, idx), broadcastAt(b, idx)) ? 1 : 0);
    }
    expect(Array.from(y.data)).toEqual(want);
    const c = tg.tensor([[1], [2]]),
      d = tg.tensor([1, 2, 3]);
    expect(op(c, d).shape).toEqual([2, 3]);
    expect(Array.from(op(c, d).data)).toEqual([1, 1, 1, 2, 2, 2].map((x, k) => (ref(x, [1, 2, 3][k % 3]) ? 1 : 0)));
  });
  it('tensor vs number, number vs tensor, method form, mixed dtypes, 0-d and empty', () => {
    const x = tg.tensor([0, 1, 2], { dtype: 'int32' });
    expect(op(x, 1).toArray()).toEqual([0, 1, 2].map((v) => ref(v, 1)));
    expect(op(1, x).toArray()).toEqual([0, 1, 2].map((v) => ref(1, v)));
    expect((x as any)[name](1.5).toArray()).toEqual([0, 1, 2].map((v) => ref(v, 1.5)));
    expect(op(tg.tensor([0.5, 1]), tg.tensor([1, 1], { dtype: 'int32' })).toArray()).toEqual([ref(0.5, 1), ref(1, 1)]);
    expect(op(tg.tensor(2), 2).toArray()).toBe(ref(2, 2));
    expect(op(tg.zeros([0, 3]), tg.zeros([3])).shape).toEqual([0, 3]);
    expect(op(tg.tensor([true, false]), 1).toArray()).toEqual([ref(1, 1), ref(0, 1)]);
  });
  it('never requires grad', () => {
    const y = op(leaf([3]), leaf([3], { seed: 2 }));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBe(null);
  });
  it('errors', () => {
    expect(() => op(tg.zeros([2]), tg.zeros([3]))).toThrow(
      new RangeError(`${name}: shapes [2] and [3] cannot be broadcast together (dim -1 is 2 vs 3)`),
    );
    expect(() => op(1, 2)).toThrow(new TypeError(`${name}: at least one of 'a' and 'b' must be a Tensor`));
    expect(() => op(tg.zeros([1]), '1' as any)).toThrow(
      new TypeError(`${name}: argument 'b' must be a Tensor or a number, got a string (1)`),
    );
  });
});

describe('comparisons', () => {
  it('a number meets a float32 tensor in float32, as in PyTorch', () => {
    const x = tg.tensor([0.1, 0.2]);
    expect(x.eq(0.1).toArray()).toEqual([true, false]);
    expect(x.le(0.1).toArray()).toEqual([true, false]);
    expect(tg.tensor([0.1], { dtype: 'float64' }).eq(0.1).toArray()).toEqual([true]);
  });
  it('a large comparison (1e6 elements) matches the JS operator', () => {
    const x = tg.rand([1000, 1000]);
    const y = x.gt(0.5);
    let count = 0;
    for (let k = 0; k < x.size; k++) if ((x.data[k] > 0.5 ? 1 : 0) === y.data[k]) count++;
    expect(count).toBe(x.size);
  });
});

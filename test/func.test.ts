// tg.func transforms against hand-derived derivatives.
import { describe, expect, it } from 'vitest';
import * as tg from '../lib/index.js';
import { expectClose } from './helpers.js';

const t = (v: number | number[]) => tg.tensor(v, { dtype: 'float64' });

describe('tg.func', () => {
  it('grad and valueAndGrad of f(x, y) = x·y + sin(x)', () => {
    const f = (x: tg.Tensor, y: tg.Tensor) => x.mul(y).add(x.sin());
    const x = t(2), y = t(3);
    expectClose((tg.func.grad(f)(x, y) as tg.Tensor).item(), 3 + Math.cos(2));
    const [value, grads] = tg.func.valueAndGrad(f, { argnums: [0, 1] })(x, y);
    expectClose(value.item(), 6.909297426825682);
    expectClose((grads as tg.Tensor[]).map((g) => g.item()), [2.5838531634528574, 2]);
    expect(x.grad).toBeNull(); // the caller's tensors are untouched
  });

  it('vjp, jacobian and hessian', () => {
    const f = (x: tg.Tensor) => x.pow(2).mul(t([1, 2]));
    const [out, vjpFn] = tg.func.vjp(f, t([3, 4]));
    expect(out.toArray()).toEqual([9, 32]);
    expect(vjpFn(t([1, 1]))[0].toArray()).toEqual([6, 16]);
    const J = tg.func.jacobian(f)(t([3, 4])) as tg.Tensor;
    expect(J.shape).toEqual([2, 2]);
    expect(J.toArray()).toEqual([[6, 0], [0, 16]]);
    const H = tg.func.hessian((x: tg.Tensor) => x.pow(3).sum())(t([1, 2]));
    expect(H.toArray()).toEqual([[6, 0], [0, 12]]);
  });

  it('errors', () => {
    expect(() => tg.func.grad((x: tg.Tensor) => x.mul(2))(t([1, 2]))).toThrow(
      new TypeError('valueAndGrad: f must return a Tensor with one element, got shape [2]'),
    );
    expect(() => tg.func.grad((x: tg.Tensor) => x.sum(), { argnums: 3 })(t([1]))).toThrow(RangeError);
  });
});

// tg.func transforms against hand-derived derivatives.
import { describe, expect, it } from 'vitest';
import * as tg from '../lib/index.js';
import { expectClose } from './helpers.js';

const t = (v: number | number[]) => tg.tensor(v, { dtype: 'float64' });

describe('tg.func', () => {
  it('grad and valueAndGrad of f(x, y) = x·y + sin(x)', () => {
    const f = (x: tg.Tensor, y: tg.Tensor) => x.mul(y).add(x.sin());
    const x = t(2),
      y = t(3);
    expectClose((tg.func.grad(f)(x, y) as tg.Tensor).item(), 3 + Math.cos(2));
    const [value, grads] = tg.func.valueAndGrad(f, { argnums: [0, 1] })(x, y);
    expectClose(value.item(), 6.909297426825682);
    expectClose(
      (grads as tg.Tensor[]).map((g) => g.item()),
      [2.5838531634528574, 2],
    );
    expect(x.grad).toBeNull(); // the caller's tensors are untouched
  });

  it('vjp, jacobian and hessian', () => {
    const f = (x: tg.Tensor) => x.pow(2).mul(t([1, 2]));
    const [out, vjpFn] = tg.func.vjp(f, t([3, 4]));
    expect(out.toArray()).toEqual([9, 32]);
    expect(vjpFn(t([1, 1]))[0].toArray()).toEqual([6, 16]);
    const J = tg.func.jacobian(f)(t([3, 4])) as tg.Tensor;
    expect(J.shape).toEqual([2, 2]);
    expect(J.toArray()).toEqual([
      [6, 0],
      [0, 16],
    ]);
    const H = tg.func.hessian((x: tg.Tensor) => x.pow(3).sum())(t([1, 2]));
    expect(H.toArray()).toEqual([
      [6, 0],
      [0, 12],
    ]);
  });

  it('errors', () => {
    expect(() => tg.func.grad((x: tg.Tensor) => x.mul(2))(t([1, 2]))).toThrow(
      new TypeError('grad: f must return a Tensor with one element, got shape [2]'),
    );
    expect(() => tg.func.grad((x: tg.Tensor) => x.sum(), { argnums: 3 })(t([1]))).toThrow(
      new RangeError("grad: option 'argnums' must name arguments 0..0 of the 1 given, got 3"),
    );
    expect(() => tg.func.hessian((x: tg.Tensor) => x.sum(), { argnums: 1 })(t([1]))).toThrow(
      new RangeError("hessian: option 'argnums' is 1 but f was given 1 arguments"),
    );
    expect(() => tg.func.jacobian('3' as any)).toThrow(
      new TypeError("jacobian: argument 'f' must be a function, got a string (3)"),
    );
    expect(() => tg.func.valueAndGrad((x: tg.Tensor) => x, { argnum: 0 } as any)).toThrow(
      new TypeError("valueAndGrad: unknown option 'argnum' (expected 'argnums')"),
    );
    const [, vjpFn] = tg.func.vjp((x: tg.Tensor) => x.mul(2), t([1, 2]));
    expect(() => vjpFn(tg.ones([2]))).toThrow(
      new TypeError("vjp: argument 'v' must match f's output (float64 [2]), got float32 [2]"),
    );
    expect(() => tg.noGrad(5 as any)).toThrow(
      new TypeError("noGrad: argument 'fn' must be a function, got a number (5)"),
    );
    expect(() => tg.enableGrad({} as any)).toThrow(
      new TypeError("enableGrad: argument 'fn' must be a function, got an object (Object)"),
    );
    expect(() => tg.autograd.gradcheck((x: tg.Tensor) => x, [t([1])], null as any)).toThrow(
      new TypeError('gradcheck: options must be an object, got null'),
    );
    expect(() => tg.autograd.gradgradcheck((x: tg.Tensor) => x, null as any)).toThrow(
      new TypeError("gradgradcheck: argument 'inputs' must be an array, got null"),
    );
    expect(() => tg.autograd.gradgradcheck(() => 3 as any, [t([1]).requiresGrad_()])).toThrow(
      /^gradgradcheck: the function must return a Tensor/,
    );
    // With nothing to differentiate, fn is not run at all (it got the non-tensors: 'x.sin is not a function').
    let ran = false;
    expect(() =>
      tg.autograd.gradgradcheck(
        (x: tg.Tensor) => {
          ran = true;
          return x.sin();
        },
        [1.5 as any],
      ),
    ).toThrow(new Error('gradgradcheck: no input requires grad; nothing to check'));
    expect(ran).toBe(false);
  });
});

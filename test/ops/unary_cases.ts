// Shared checks for the elementwise unary ops (square, rsqrt, log1p, ..., gelu): forward values against
// a plain-JS float64 reference on small tensors (JS loops) and native-sized ones (the addon's kernels
// when it has them), float32 within float32 precision, method form, gradcheck, gradgradcheck, and the
// non-tensor error. Each op's own test file calls unaryCases and adds its special cases.
import { expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, flat, leaf, positive } from '../helpers.js';

export interface UnaryCase {
  name: string;
  op: (x: tg.Tensor) => tg.Tensor;
  /** The method call on a tensor, e.g. (x) => x.gelu('tanh'). */
  method: (x: tg.Tensor) => tg.Tensor;
  ref: (v: number) => number;
  domain?: 'any' | 'positive';
  /** Values of |x| near a kink to move away from before finite differences. */
  kinks?: number[];
  scale?: number;
  /** Forward tolerance in float64 (relative and absolute). */
  tol?: number;
}

export function unaryCases(c: UnaryCase): void {
  const input = (shape: number[], seed?: number) =>
    c.domain === 'positive' ? positive(shape, 0.5, 2, seed) : leaf(shape, { scale: c.scale ?? 2, seed });
  const tol = c.tol ?? 1e-14;

  it('forward matches the float64 reference (JS loops and native-sized tensors)', () => {
    for (const shape of [[7], [3, 5], [200, 100]]) {
      const x = input(shape);
      expectClose(c.op(x), flat(x).map(c.ref), tol, tol);
    }
  });

  it('float32 agrees with the float64 reference to float32 precision', () => {
    for (const shape of [[33], [150, 120]]) {
      const x = input(shape).float();
      const y = c.op(x);
      expect(y.dtype).toBe('float32');
      expectClose(y, flat(x).map(c.ref), 2e-6, 2e-6);
    }
  });

  it('method form equals the function form', () => {
    const x = input([4, 3]);
    expect(c.method(x).toArray()).toEqual(c.op(x).toArray());
  });

  it('gradcheck and gradgradcheck (float64)', () => {
    const x = input([3, 4], 11);
    for (const k of c.kinks ?? [])
      for (let i = 0; i < x.data.length; i++) if (Math.abs(x.data[i] - k) < 1e-3) x.data[i] = k + 0.25;
    expectGradcheck(c.op, [x]);
    expect(tg.autograd.gradgradcheck(c.op, [x])).toBe(true);
  });

  it('gradient through the native-sized path equals the small-tensor one', () => {
    const big = input([130, 130], 12);
    c.op(big).sum().backward();
    const row = big.detach().slice(0, 5, 6).requiresGrad_(true);
    c.op(row).sum().backward();
    expectClose(row.grad!, flat(big.grad!).slice(5 * 130, 6 * 130), 1e-14, 1e-13);
  });

  it('rejects a non-tensor with a message naming the op and argument', () => {
    expect(() => c.op([1, 2] as any)).toThrow(new TypeError(`${c.name}: argument 'x' must be a Tensor, got an array`));
  });
}

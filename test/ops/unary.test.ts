// Elementwise unary ops, one line each: forward values against Math (small tensors through the JS
// loops, large ones through the native kernels), float32 vs the float64 reference, and gradcheck.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, flat, leaf, positive } from '../helpers.js';

type Case = [name: string, op: (x: tg.Tensor) => tg.Tensor, ref: (v: number) => number, domain: 'any' | 'positive'];
const sigmoidRef = (v: number) => 1 / (1 + Math.exp(-v));
const cases: Case[] = [
  ['neg', tg.neg, (v) => -v, 'any'],
  ['exp', tg.exp, Math.exp, 'any'],
  ['log', tg.log, Math.log, 'positive'],
  ['sqrt', tg.sqrt, Math.sqrt, 'positive'],
  ['abs', tg.abs, Math.abs, 'any'],
  ['sin', tg.sin, Math.sin, 'any'],
  ['cos', tg.cos, Math.cos, 'any'],
  ['tanh', tg.tanh, Math.tanh, 'any'],
  ['sigmoid', tg.sigmoid, sigmoidRef, 'any'],
  ['relu', tg.relu, (v) => Math.max(v, 0), 'any'],
];

describe.each(cases)('%s', (name, op, ref, domain) => {
  const input = (shape: number[]) => (domain === 'positive' ? positive(shape) : leaf(shape, { scale: 2 }));

  it('forward matches the Math reference (small and native-sized, float64)', () => {
    for (const shape of [[7], [3, 5], [200, 100]]) {
      const x = input(shape);
      expectClose(op(x), flat(x).map(ref), 1e-15, 1e-14);
    }
  });

  it('float32 agrees with the float64 reference to float32 precision', () => {
    for (const shape of [[33], [150, 120]]) {
      const x = input(shape);
      const y = op(x.float());
      expect(y.dtype).toBe('float32');
      expectClose(y, flat(x.float()).map(ref), 1e-6, 2e-6);
    }
  });

  it('method form equals the function form', () => {
    const x = input([4]);
    expect((x as any)[name]().toArray()).toEqual(op(x).toArray());
  });

  it('gradcheck (float64, central differences)', () => {
    const x = input([3, 4]);
    // away from the kink
    if (name === 'relu' || name === 'abs')
      for (let i = 0; i < x.data.length; i++) if (Math.abs(x.data[i]) < 1e-3) x.data[i] = 0.5;
    expectGradcheck(op, [x]);
  });

  it('gradcheck of the second derivative', () => {
    if (name === 'relu' || name === 'abs') return; // piecewise linear: the second derivative is 0 a.e.
    expect(tg.autograd.gradgradcheck(op, [input([5])])).toBe(true);
  });

  it('rejects a non-tensor with a message naming the op and argument', () => {
    expect(() => op([1, 2] as any)).toThrow(new TypeError(`${name}: argument 'x' must be a Tensor, got an array`));
  });
});

describe('unary edge cases', () => {
  it('sigmoid is finite and exact at large |x|', () => {
    const x = tg.tensor([-1000, -30, 0, 30, 1000], { dtype: 'float64' });
    expectClose(tg.sigmoid(x), [0, sigmoidRef(-30), 0.5, sigmoidRef(30), 1], 1e-300, 1e-15);
  });

  it('relu(NaN) is NaN and relu gradient at 0 is 0 (as PyTorch)', () => {
    const x = tg.tensor([NaN, 0, -1, 2], { dtype: 'float64', requiresGrad: true });
    const y = x.relu();
    expect(Number.isNaN(y.data[0])).toBe(true);
    y.sum().backward();
    expect(flat(x.grad!)).toEqual([0, 0, 0, 1]);
  });

  it('abs gradient at 0 is 0', () => {
    const x = tg.tensor([0, -2, 3], { dtype: 'float64', requiresGrad: true });
    x.abs().sum().backward();
    expect(flat(x.grad!)).toEqual([0, -1, 1]);
  });

  it('integer inputs: exp gives float32, neg keeps int32', () => {
    const i = tg.tensor([1, 2], { dtype: 'int32' });
    expect(i.exp().dtype).toBe('float32');
    expect(i.neg().dtype).toBe('int32');
    expect(i.neg().toArray()).toEqual([-1, -2]);
  });
});

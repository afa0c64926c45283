import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, flat, leaf } from '../helpers.js';

describe('clamp', () => {
  it('values with both, only min, only max (small and native-sized, float64 and float32)', () => {
    for (const shape of [[9], [200, 100]]) {
      const x = leaf(shape, { scale: 2 });
      expectClose(
        tg.clamp(x, -0.5, 0.7),
        flat(x).map((v) => Math.min(Math.max(v, -0.5), 0.7)),
        0,
        0,
      );
      expectClose(
        tg.clamp(x, 0.1),
        flat(x).map((v) => Math.max(v, 0.1)),
        0,
        0,
      );
      expectClose(
        tg.clamp(x, null, -0.2),
        flat(x).map((v) => Math.min(v, -0.2)),
        0,
        0,
      );
      const f = x.float();
      expectClose(
        tg.clamp(f, -0.5, 0.7),
        flat(f).map((v) => Math.fround(Math.min(Math.max(v, -0.5), 0.7))),
        0,
        0,
      );
    }
  });

  it('as torch.clamp: NaN stays NaN, min > max gives max, integer tensors stay integer', () => {
    expect(tg.clamp(tg.tensor([NaN, -5, 5], { dtype: 'float64' }), -1, 1).toArray()).toEqual([NaN, -1, 1]);
    expect(tg.clamp(tg.tensor([0, 3], { dtype: 'float64' }), 2, 1).toArray()).toEqual([1, 1]);
    const i = tg.clamp(tg.tensor([-5, 0, 5], { dtype: 'int32' }), -2);
    expect(i.dtype).toBe('int32');
    expect(i.toArray()).toEqual([-2, 0, 5]);
  });

  it('gradient 1 for min <= x <= max (boundaries included, as PyTorch), 0 outside', () => {
    const x = tg.tensor([-2, -1, 0, 1, 2], { dtype: 'float64', requiresGrad: true });
    tg.clamp(x, -1, 1).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 1, 1, 1, 0]);
    const y = tg.tensor([-2, 3], { dtype: 'float64', requiresGrad: true });
    y.clamp(null, 0).sum().backward();
    expect(y.grad!.toArray()).toEqual([1, 0]);
  });

  it('float32: a bound meets x as a float32, so x = 0.1 is on the boundary of clamp(0, 0.1) (gradient 1, as PyTorch)', () => {
    // torch: x = torch.full([1], 0.1, requires_grad=True); x.clamp(0, 0.1).sum().backward() → x.grad [1.]
    for (const n of [1, 20000]) {
      const x = tg.full([n], 0.1).requiresGrad_(true);
      x.clamp(0, 0.1).sum().backward();
      expect(x.grad!.data[0]).toBe(1);
      const y = tg.full([n], -0.1).requiresGrad_(true);
      y.clamp(-0.1, 1).sum().backward();
      expect(y.grad!.data[0]).toBe(1);
    }
  });

  it('gradcheck and gradgradcheck away from the bounds; method form', () => {
    const x = leaf([3, 4], { scale: 2 });
    for (let i = 0; i < x.data.length; i++)
      if (Math.abs(x.data[i] + 0.5) < 1e-3 || Math.abs(x.data[i] - 0.7) < 1e-3) x.data[i] = 0;
    expectGradcheck((t: tg.Tensor) => tg.clamp(t, -0.5, 0.7), [x]);
    expect(tg.autograd.gradgradcheck((t: tg.Tensor) => tg.clamp(t, -0.5, 0.7).mul(t), [x])).toBe(true);
    expect(x.clamp(-0.5, 0.7).toArray()).toEqual(tg.clamp(x, -0.5, 0.7).toArray());
  });

  it('rejects bad arguments', () => {
    expect(() => tg.clamp([1] as any, 0)).toThrow(new TypeError("clamp: argument 'x' must be a Tensor, got an array"));
    expect(() => tg.clamp(tg.zeros([2]))).toThrow(
      new TypeError("clamp: at least one of 'min' and 'max' must be a number"),
    );
    expect(() => tg.clamp(tg.zeros([2]), '1' as any)).toThrow(
      new TypeError("clamp: argument 'min' must be a number, null or undefined, got a string (1)"),
    );
    expect(() => tg.clamp(tg.zeros([2]), 0, NaN)).toThrow(
      new TypeError("clamp: argument 'max' must be a number, null or undefined, got a number (NaN)"),
    );
  });
});

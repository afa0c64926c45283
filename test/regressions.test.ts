// Regression tests for bugs found in a bug hunt over lib/ops, lib/kernels, lib/nn, lib/optim (one test per bug).
import { describe, expect, it } from 'vitest';
import * as tg from '../lib/index.js';

const f64 = (d: number[]) => tg.tensor(d, { dtype: 'float64', requiresGrad: true });

describe('in-place mul_/div_ by a tensor that requires grad', () => {
  it('keeps the saved original value differentiable, so double backward reaches x (as PyTorch)', () => {
    // torch: y = (a*1).mul_(b); g, = grad(y.sum(), [b], create_graph=True) → g = a; grad(g.sum(), [a]) → [1, 1]
    const a = f64([1, 2]),
      b = f64([3, 4]);
    const y = a.mul(1).mul_(b);
    const gb = tg.autograd.grad(y.sum(), [b], { createGraph: true })[0]!;
    expect(gb.toArray()).toEqual([1, 2]);
    expect(gb.requiresGrad).toBe(true);
    const gab = tg.autograd.grad(gb.sum(), [a])[0]!;
    expect(gab.toArray()).toEqual([1, 1]);
    for (const f of [
      (x: tg.Tensor, w: tg.Tensor) => x.mul(1).mul_(w),
      (x: tg.Tensor, w: tg.Tensor) => x.mul(1).div_(w),
    ])
      expect(tg.autograd.gradgradcheck(f, [f64([1, 2]), f64([3, 4])])).toBe(true);
  });
});

describe('in-place op on a float32 tensor by a float64 tensor that requires grad', () => {
  it("gives x's gradient in x's dtype (backward threw 'returned a float64 gradient for input 0')", () => {
    // torch: a = tensor([1., 2], requires_grad); w = tensor([3., 4], float64, requires_grad)
    //        y = a*1; y.mul_(w); y.div_(w+1); y.sum().backward() → a.grad [0.75, 0.8] float32, w.grad [0.0625, 0.08000000596046447]
    const a = tg.tensor([1, 2], { requiresGrad: true });
    const w = f64([3, 4]);
    const y = a.mul(1);
    y.mul_(w);
    y.div_(w.add(1));
    y.sum().backward();
    expect(a.grad!.dtype).toBe('float32');
    expect(a.grad!.toArray()).toEqual([0.75, 0.800000011920929]);
    expect(w.grad!.dtype).toBe('float64');
    expect(w.grad!.toArray()).toEqual([0.0625, 0.08000000596046447]); // torch's exact values
  });
});

describe("to('bool')", () => {
  it('is true for every nonzero value (NaN, 0.5, 256, -1 included), as PyTorch; was a truncating byte store', () => {
    // torch.tensor([0.5, -0.5, nan, 2, -0., 256, 0.1]).bool() → [T, T, T, T, F, T, T]; int32 [2, -1, 256, 0] → [T, T, T, F]
    const f = tg.tensor([0.5, -0.5, NaN, 2, -0, 256, 0.1]).to('bool');
    expect(f.dtype).toBe('bool');
    expect(Array.from(f.data)).toEqual([1, 1, 1, 1, 0, 1, 1]);
    expect(Array.from(tg.tensor([2, -1, 256, 0], { dtype: 'int32' }).to('bool').data)).toEqual([1, 1, 1, 0]);
    expect(tg.tensor([0.5, 0], { dtype: 'float64' }).to('bool').toArray()).toEqual([true, false]);
  });
});

describe('fill_ on a bool tensor', () => {
  it('stores true (byte 1) for any nonzero value, as PyTorch; stored the byte 2 for fill_(2) and false for fill_(0.5)', () => {
    // torch: torch.zeros(2, dtype=torch.bool).fill_(2) → [True, True]; .fill_(0.5) → [True, True]; (… == 1) → True
    const b = tg.tensor([false, false], { dtype: 'bool' });
    b.fill_(2);
    expect(Array.from(b.data)).toEqual([1, 1]);
    expect(Array.from(b.eq(1).data)).toEqual([1, 1]);
    b.fill_(0.5);
    expect(Array.from(b.data)).toEqual([1, 1]);
    b.fill_(NaN);
    expect(Array.from(b.data)).toEqual([1, 1]);
    b.fill_(0);
    expect(Array.from(b.data)).toEqual([0, 0]);
  });
});

import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, flat, leaf } from '../helpers.js';
import { reduceRef, subsets } from './reduce_ref.js';

const lseRef = (v: number[]) => {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((a, b) => a + Math.exp(b - m), 0));
};

describe('logSumExp', () => {
  it('over every dim subset, keepdim, all dims by default, native-sized float32', () => {
    const x = leaf([2, 3, 4], { scale: 3 });
    for (const dims of subsets(3).filter((d) => d.length > 0)) {
      expectClose(tg.logSumExp(x, dims), reduceRef(x, dims, lseRef), 1e-14, 1e-14);
      expect(tg.logSumExp(x, dims, true).shape).toEqual(x.shape.map((s, d) => (dims.includes(d) ? 1 : s)));
    }
    expectClose(x.logSumExp().item(), lseRef(flat(x)), 1e-14, 1e-14);
    const big = leaf([300, 100], { scale: 3 });
    expectClose(big.float().logSumExp(1), reduceRef(big.float(), [1], lseRef), 1e-5, 1e-6);
  });

  it('inputs around ±1e4 stay finite and exact; -inf and +inf slices', () => {
    for (const shift of [1e4, -1e4]) {
      const x = leaf([3, 5], { scale: 4, shift });
      const y = tg.logSumExp(x, 1);
      expectClose(y, reduceRef(x, [1], lseRef), 0, 1e-15);
      y.sum().backward();
      expect(flat(x.grad!).every(Number.isFinite)).toBe(true);
      // exp(x − y) with x, y ≈ 1e4: both carry rounding of ulp(1e4) ≈ 2e-12 (as in PyTorch's formula).
      expectClose(tg.sum(x.grad!, 1), [1, 1, 1], 1e-11, 0);
    }
    expect(tg.logSumExp(tg.tensor([1e4, 1e4], { dtype: 'float64' })).item()).toBe(1e4 + Math.LN2);
    const special = tg.tensor(
      [
        [-Infinity, -Infinity],
        [Infinity, 0],
        [NaN, 0],
      ],
      { dtype: 'float64' },
    );
    expect(tg.logSumExp(special, 1).toArray()).toEqual([-Infinity, Infinity, NaN]);
    expect(tg.logSumExp(tg.zeros([0, 2]), 0).toArray()).toEqual([-Infinity, -Infinity]);
  });

  it('gradient is the softmax over the reduced dims; gradcheck and gradgradcheck', () => {
    const x = leaf([2, 3], { scale: 2 });
    tg.logSumExp(x, 1).sum().backward();
    expectClose(x.grad!, tg.softmax(x.detach(), 1), 1e-15, 1e-14);
    expectGradcheck((t: tg.Tensor) => tg.logSumExp(t, 1), [leaf([2, 3])]);
    expectGradcheck((t: tg.Tensor) => tg.logSumExp(t, [0, 2], true), [leaf([2, 3, 2])]);
    expectGradcheck((t: tg.Tensor) => tg.logSumExp(t), [leaf([2, 3])]);
    expect(tg.autograd.gradgradcheck((t: tg.Tensor) => tg.logSumExp(t, 0), [leaf([3, 2])])).toBe(true);
  });

  it('integers give float32; bad arguments', () => {
    expect(tg.logSumExp(tg.tensor([0, 0], { dtype: 'int32' })).dtype).toBe('float32');
    expect(() => tg.logSumExp([1] as any)).toThrow(
      new TypeError("logSumExp: argument 'x' must be a Tensor, got an array"),
    );
    expect(() => tg.logSumExp(tg.zeros([2]), 1)).toThrow(
      new RangeError('logSumExp: dim 1 is out of range for a tensor of rank 1 (expected -1..0)'),
    );
    expect(() => tg.logSumExp(tg.zeros([2]), 0, null as any)).toThrow(
      new TypeError("logSumExp: argument 'keepdim' must be a boolean, got null"),
    );
  });
});

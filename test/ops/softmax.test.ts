// softmax / logSoftmax: values against a float64 reference along every dim (JS path and native path),
// inputs around ±1e4, float32, gradcheck and gradgradcheck (the backward is a Function of its own),
// and bad arguments.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { SOFTMAX_NATIVE_MIN_ELEMENTS } from '../../lib/kernels/routing.js';
import { softmaxBackward } from '../../lib/ops/softmax.js';
import { expectClose, expectGradcheck, flat, leaf } from '../helpers.js';

/** Reference along dim, straight from the definition with a max shift. */
function softmaxRef(x: tg.Tensor, dim: number, log: boolean): number[] {
  const shape = x.shape;
  const d = dim < 0 ? dim + shape.length : dim;
  let outer = 1,
    inner = 1;
  for (let k = 0; k < d; k++) outer *= shape[k];
  for (let k = d + 1; k < shape.length; k++) inner *= shape[k];
  const n = shape[d] ?? 1;
  const v = flat(x);
  const out = new Array<number>(v.length);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      const at = (i: number) => (o * n + i) * inner + j;
      let m = -Infinity;
      for (let i = 0; i < n; i++) m = Math.max(m, v[at(i)]);
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.exp(v[at(i)] - m);
      for (let i = 0; i < n; i++) out[at(i)] = log ? v[at(i)] - m - Math.log(s) : Math.exp(v[at(i)] - m) / s;
    }
  return out;
}

describe.each([
  ['softmax', tg.softmax, false],
  ['logSoftmax', tg.logSoftmax, true],
] as const)('%s', (name, op, log) => {
  it('matches the reference along every dim, small (JS) and large (native) tensors', () => {
    for (const shape of [[5], [3, 4], [2, 3, 4], [40, 30, 3], [7, 600]]) {
      const x = leaf(shape, { scale: 3 });
      for (let dim = -shape.length; dim < shape.length; dim++) {
        const y = op(x, dim);
        expect(y.shape).toEqual(shape);
        expectClose(y, softmaxRef(x, dim, log), 1e-15, 1e-13);
      }
    }
    expect(40 * 30 * 3).toBeGreaterThanOrEqual(SOFTMAX_NATIVE_MIN_ELEMENTS); // the native path is covered
  });

  it('the native and JS paths agree, float32 and float64, forward and backward', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const big = leaf([64, 50], { scale: 4, dtype });
      const gBig = leaf([64, 50], { seed: 9, dtype });
      // Rows computed one small tensor at a time take the JS path.
      const y = op(big, 1);
      big.grad = null;
      y.backward(gBig);
      for (const r of [0, 17, 63]) {
        const row = big
          .detach()
          .slice(0, r, r + 1)
          .requiresGrad_(true);
        const yr = op(row, 1);
        yr.backward(gBig.slice(0, r, r + 1));
        const tol = dtype === 'float32' ? 1e-6 : 1e-15;
        expectClose(yr, flat(y).slice(r * 50, r * 50 + 50), tol, tol);
        expectClose(row.grad!, flat(big.grad!).slice(r * 50, r * 50 + 50), tol, tol);
      }
    }
  });

  it('float32 agrees with the float64 reference to float32 precision', () => {
    for (const shape of [
      [6, 9],
      [30, 100],
    ]) {
      const x = leaf(shape, { scale: 5 }).float();
      const y = op(x, -1);
      expect(y.dtype).toBe('float32');
      expectClose(y, softmaxRef(x, -1, log), 1e-6, 1e-6);
    }
  });

  it('inputs around ±1e4 give finite, correct values and gradients (both paths)', () => {
    for (const shape of [
      [3, 5],
      [64, 40],
    ]) {
      for (const shift of [1e4, -1e4]) {
        const x = leaf(shape, { scale: 5, shift });
        const y = op(x, 1);
        expect(flat(y).every(Number.isFinite)).toBe(true);
        expectClose(y, softmaxRef(x, 1, log), 1e-12, 1e-12);
        y.backward(tg.onesLike(y).mul(0.5));
        expect(flat(x.grad!).every(Number.isFinite)).toBe(true);
      }
    }
    const v = tg.tensor([1e4, -1e4, 0], { dtype: 'float64' });
    expect(op(v, 0).toArray()).toEqual(log ? [0, -2e4, -1e4] : [1, 0, 0]);
    const f = tg.tensor([
      [1e4, 1e4 - 1],
      [-1e4, -1e4 - 1],
    ]);
    const p = 1 / (1 + Math.exp(-1));
    expectClose(
      op(f, 1),
      log ? [Math.log(p), Math.log(1 - p), Math.log(p), Math.log(1 - p)] : [p, 1 - p, p, 1 - p],
      1e-6,
      1e-6,
    );
  });

  it('special values: −inf gets probability 0, +inf or NaN makes its slice NaN (as PyTorch)', () => {
    const x = tg.tensor(
      [
        [-Infinity, 0, 0],
        [Infinity, 1, 0],
        [NaN, 1, 2],
      ],
      { dtype: 'float64' },
    );
    const y = flat(op(x, 1));
    expect(y.slice(0, 3)).toEqual(log ? [-Infinity, -Math.LN2, -Math.LN2] : [0, 0.5, 0.5]);
    expect(y.slice(3).every(Number.isNaN)).toBe(true);
  });

  it('0-d and size-1 dims give 1 (log: 0); empty tensors give empty results', () => {
    expect(op(tg.tensor(3.5), 0).item()).toBe(log ? 0 : 1);
    expect(op(tg.tensor([[2], [5]]), 1).toArray()).toEqual(log ? [[0], [0]] : [[1], [1]]);
    expect(op(tg.zeros([0, 3]), 1).shape).toEqual([0, 3]);
    expect(op(tg.zeros([2, 0]), 1).shape).toEqual([2, 0]);
  });

  it('integer input is converted to float32', () => {
    const y = op(tg.tensor([1, 2, 3], { dtype: 'int32' }), 0);
    expect(y.dtype).toBe('float32');
    expectClose(y, softmaxRef(tg.tensor([1, 2, 3], { dtype: 'float64' }), 0, log), 1e-7, 1e-6);
  });

  it('method form equals the function form', () => {
    const x = leaf([3, 4]);
    expect((x as any)[name](0).toArray()).toEqual(op(x, 0).toArray());
  });

  it('gradcheck along every dim', () => {
    const x = leaf([2, 3, 4], { scale: 2 });
    for (const dim of [0, 1, 2, -1]) expectGradcheck((t: tg.Tensor) => op(t, dim), [x]);
    expectGradcheck((t: tg.Tensor) => op(t, 0), [leaf([5], { scale: 2 })]);
  });

  it('gradgradcheck (the backward is differentiable) along inner and outer dims', () => {
    expect(tg.autograd.gradgradcheck((t: tg.Tensor) => op(t, 1), [leaf([2, 3, 2], { scale: 2 })])).toBe(true);
    expect(tg.autograd.gradgradcheck((t: tg.Tensor) => op(t, -1), [leaf([3, 4], { scale: 2 })])).toBe(true);
    // Through the native kernels too (float64), checked in a random direction of the Hessian.
    const x = leaf([48, 50], { scale: 2 });
    const g = leaf([48, 50], { seed: 4 });
    const dx = tg.autograd.grad([op(x, 1)], [x], { gradOutputs: [g], createGraph: true })[0]!;
    expect(dx.gradFn?.name).toBe('SoftmaxBackwardBackward');
    // hv = ∂⟨dx(x), v⟩/∂x; ⟨hv, w⟩ must equal the central difference of ⟨dx(x + s·w), v⟩ in s.
    const v = leaf([48, 50], { seed: 5 }).detach();
    const w = leaf([48, 50], { seed: 6 }).detach();
    const hv = tg.autograd.grad([dx.mul(v).sum()], [x])[0]!;
    const at = (s: number) => {
      const xs = x.detach().add(w.mul(s)).requiresGrad_(true);
      const d = tg.autograd.grad([op(xs, 1)], [xs], { gradOutputs: [g] })[0]!;
      return d.mul(v).sum().item();
    };
    const eps = 1e-6;
    const fd = (at(eps) - at(-eps)) / (2 * eps);
    expectClose(hv.mul(w).sum().item(), fd, 1e-6, 1e-5);
  });

  it('rejects bad arguments with messages naming the op and argument', () => {
    expect(() => op([1, 2] as any, 0)).toThrow(new TypeError(`${name}: argument 'x' must be a Tensor, got an array`));
    expect(() => (op as any)(tg.zeros([2]))).toThrow(
      new TypeError(`${name}: argument 'dim' must be an integer, got undefined`),
    );
    expect(() => op(tg.zeros([2]), '0' as any)).toThrow(
      new TypeError(`${name}: argument 'dim' must be an integer, got a string (0)`),
    );
    expect(() => op(tg.zeros([2, 3]), 2)).toThrow(
      new RangeError(`${name}: dim 2 is out of range for a tensor of rank 2 (expected -2..1)`),
    );
    expect(() => op(tg.zeros([2]), 0.5)).toThrow(new TypeError(`${name}: dim must be an integer, got 0.5`));
  });
});

describe('softmaxBackward', () => {
  it('(internal, not in tg) equals the gradient of softmax', () => {
    const x = leaf([3, 4]);
    const y = tg.softmax(x, 1);
    const g = leaf([3, 4], { seed: 2 }).detach();
    y.backward(g);
    expectClose(softmaxBackward(y.detach(), g, 1, false), x.grad!, 1e-15, 1e-14);
  });

  it('gradcheck with respect to both the output and the incoming gradient', () => {
    for (const log of [false, true]) {
      const y = log
        ? tg
            .logSoftmax(leaf([3, 4]), 1)
            .detach()
            .requiresGrad_(true)
        : tg
            .softmax(leaf([3, 4]), 1)
            .detach()
            .requiresGrad_(true);
      const g = leaf([3, 4], { seed: 8 });
      expectGradcheck((a: tg.Tensor, b: tg.Tensor) => softmaxBackward(a, b, 0, log), [y, g]);
    }
  });
});

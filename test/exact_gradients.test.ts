// Gradients that disagreed with PyTorch 1.13 in the random-program comparison, each pinned to
// PyTorch's numbers, and keyword arguments as options objects. (The engine's ownership bug has its
// own file: test/autograd/ownership.test.ts.)
import { describe, expect, it } from 'vitest';
import * as tg from '../lib/index.js';
import type { Tensor } from '../lib/index.js';

const f64 = (data: number[], requiresGrad = true) => tg.tensor(data, { dtype: 'float64', requiresGrad });

describe('binaryCrossEntropyWithLogits at a logit of exactly 0', () => {
  it('first derivative σ(0) − t and second derivative σ(0)·σ(0), as PyTorch', () => {
    const x = f64([0]);
    const t = f64([0.25], false);
    const loss = tg.nn.functional.binaryCrossEntropyWithLogits(x, t);
    const [g] = tg.autograd.grad(loss, [x], { createGraph: true });
    expect(g!.item()).toBe(0.25); // PyTorch: 0.25 (was 0.75)
    const [h] = tg.autograd.grad(g!, [x]);
    expect(h!.item()).toBe(0.25); // PyTorch: 0.25 (was -0)
  });

  it('keeps full relative precision where σ(x) is tiny (x = −25, t = 0)', () => {
    const x = f64([-25]);
    tg.nn.functional.binaryCrossEntropyWithLogits(x, f64([0], false)).backward();
    expect(x.grad!.item()).toBeCloseTo(1 / (1 + Math.exp(25)), 20);
    expect(Math.abs(x.grad!.item() / (1 / (1 + Math.exp(25))) - 1)).toBeLessThan(1e-12);
  });

  it('gradients and second derivatives of input, target and posWeight against central differences', () => {
    const x = f64([0, 0.3, -2, 3]);
    const t = f64([0.25, 0, 1, 0.5]);
    const pw = f64([2, 3, 0.5, 1]);
    const bce = (a: Tensor, b: Tensor, c: Tensor) =>
      tg.nn.functional.binaryCrossEntropyWithLogits(a, b, { posWeight: c, reduction: 'sum' });
    expect(tg.autograd.gradcheck(bce, [x, t, pw])).toBe(true);
    expect(tg.autograd.gradgradcheck(bce, [f64([0.1, 0.3, -2, 3]), t, pw])).toBe(true);
  });
});

describe('where: type promotion', () => {
  it('where(cond, float32 tensor, 0-d float64) is float32, as PyTorch, and a float32 matmul follows', () => {
    const a = tg.tensor([
      [1, 2],
      [3, 4],
    ]);
    const y = tg.where(
      tg.tensor([
        [true, false],
        [false, true],
      ]),
      a,
      tg.tensor(0.5, { dtype: 'float64' }),
    );
    expect(y.dtype).toBe('float32');
    expect(y.toArray()).toEqual([
      [1, 0.5],
      [0.5, 4],
    ]);
    expect(y.matmul(a).dtype).toBe('float32');
  });

  it('two tensors with dims still promote (float32 with float64 gives float64)', () => {
    const y = tg.where(tg.tensor([true, false]), tg.tensor([1, 2]), tg.tensor([3, 4], { dtype: 'float64' }));
    expect(y.dtype).toBe('float64');
  });
});

describe('pow(tensor, tensor): second order with zeros', () => {
  it('a zero in the exponent keeps the other entries differentiable', () => {
    const a = f64([1.5, 2, 0.5]);
    const b = f64([0, 2, 3]);
    const [ga] = tg.autograd.grad(a.pow(b).sum(), [a], { createGraph: true });
    expect(ga!.requiresGrad).toBe(true);
    expect(ga!.toArray()).toEqual([0, 4, 0.75]);
    const [h] = tg.autograd.grad(ga!.sum(), [a]);
    expect(h!.toArray()).toEqual([-0, 2, 3]); // b·(b−1)·a^(b−2), PyTorch: [0, 2, 3]
    expect(tg.autograd.gradgradcheck((x: Tensor, y: Tensor) => x.pow(y), [a, b])).toBe(true);
  });

  it('a zero in the base keeps the exponent gradient differentiable, and 0^0 gives no NaN', () => {
    const a = f64([0, 2, 0.5, 0]);
    const b = f64([1.5, 2, 3, 0]);
    const [ga, gb] = tg.autograd.grad(a.pow(b).sum(), [a, b], { createGraph: true });
    expect(gb!.requiresGrad).toBe(true);
    expect((gb!.toArray() as number[])[0]).toBe(0);
    expect((gb!.toArray() as number[])[3]).toBe(0);
    expect((ga!.toArray() as number[])[3]).toBe(0);
    const [h] = tg.autograd.grad(gb!.sum(), [b]);
    const hb = h!.toArray() as number[];
    expect(hb[1]).toBeCloseTo(4 * Math.log(2) ** 2, 12);
    expect(hb[2]).toBeCloseTo(0.125 * Math.log(0.5) ** 2, 12);
    expect(hb.every(Number.isFinite)).toBe(true);
  });
});

describe('elu for very negative inputs', () => {
  it('float32 x = −20 has gradient α·eˣ = 2.06e-9 (PyTorch), not 0', () => {
    const x = tg.tensor([-20, -1, 0, 2, 1000], { requiresGrad: true });
    x.elu().sum().backward();
    const g = x.grad!.toArray() as number[];
    expect(g[0]).toBeCloseTo(Math.fround(Math.exp(-20)), 15);
    expect(g[0]).toBeGreaterThan(2e-9);
    expect(g.slice(1)).toEqual([Math.fround(Math.exp(-1)), 1, 1, 1]);
  });

  it('second order against central differences', () => {
    expect(tg.autograd.gradgradcheck((v: Tensor) => v.elu(0.7), [f64([-20, -1, 0.5, 2])])).toBe(true);
  });
});

describe('keyword arguments as an options object', () => {
  const x = tg.tensor([
    [1, -2, 3],
    [-4, 5, -6],
  ]);

  it("gelu(x, { approximate: 'tanh' }) equals the positional form, as function and method", () => {
    expect(tg.gelu(x, { approximate: 'tanh' }).toArray()).toEqual(tg.gelu(x, 'tanh').toArray());
    expect(x.gelu({ approximate: 'tanh' }).toArray()).toEqual(tg.gelu(x, 'tanh').toArray());
    expect(tg.nn.functional.gelu(x, { approximate: 'tanh' }).toArray()).toEqual(tg.gelu(x, 'tanh').toArray());
  });

  it('reductions: the object stands in place of any trailing argument', () => {
    expect(x.sum({ dim: 1, keepdim: true }).toArray()).toEqual([[2], [-5]]);
    expect(x.sum(1, { keepdim: true }).toArray()).toEqual([[2], [-5]]);
    expect(tg.mean(x, { dim: 0 }).toArray()).toEqual([-1.5, 1.5, -1.5]);
    expect(x.prod({ dim: 1 }).toArray()).toEqual([-6, 120]);
    expect(x.logSumExp({ dim: 1, keepdim: true }).shape).toEqual([2, 1]);
    expect(x.max({ dim: 1 }).indices.toArray()).toEqual([2, 1]);
    expect(x.min(1, { keepdim: true }).values.toArray()).toEqual([[-2], [-6]]);
    expect(x.argmax({ dim: 0 }).toArray()).toEqual([0, 1, 0]);
    expect(x.argmin({ dim: 1, keepdim: true }).toArray()).toEqual([[1], [2]]);
    expect(x.norm({ p: 1, dim: 1 }).toArray()).toEqual([6, 15]);
    expect(x.var({ dim: 1, correction: 0 }).toArray()).toEqual(x.var(1, { correction: 0 }).toArray());
    expect(tg.std(x, { dim: 0, keepdim: true }).shape).toEqual([1, 3]);
  });

  it('elementwise ops with parameters', () => {
    expect(x.clamp({ min: 0 }).toArray()).toEqual([
      [1, 0, 3],
      [0, 5, 0],
    ]);
    expect(x.clamp(-1, { max: 1 }).toArray()).toEqual([
      [1, -1, 1],
      [-1, 1, -1],
    ]);
    expect(x.softplus({ beta: 2, threshold: 1 }).toArray()).toEqual(x.softplus(2, 1).toArray());
    expect(x.leakyRelu({ negativeSlope: 0.5 }).toArray()).toEqual([
      [1, -1, 3],
      [-2, 5, -3],
    ]);
    expect(x.elu({ alpha: 2 }).toArray()).toEqual(x.elu(2).toArray());
  });

  it('shape ops', () => {
    expect(tg.cat([x, x], { dim: 1 }).shape).toEqual([2, 6]);
    expect(tg.stack([x, x], { dim: 2 }).shape).toEqual([2, 3, 2]);
    expect(x.split(1, { dim: 0 }).length).toBe(2);
    expect(x.reshape([1, 2, 3]).flatten({ startDim: 1 }).shape).toEqual([1, 6]);
    expect(x.reshape([1, 2, 3]).squeeze({ dim: 0 }).shape).toEqual([2, 3]);
    expect(x.unsqueeze({ dim: 1 }).shape).toEqual([2, 1, 3]);
    expect(x.transpose({ dim0: 0, dim1: 1 }).shape).toEqual([3, 2]);
  });

  it('nn.functional: dropout and layerNorm', () => {
    expect(tg.nn.functional.dropout(x, { training: false })).toBe(x);
    const w = tg.ones([3]);
    expect(tg.nn.functional.layerNorm(x, [3], { weight: w, eps: 1e-3 }).toArray()).toEqual(
      tg.nn.functional.layerNorm(x, [3], w, null, 1e-3).toArray(),
    );
  });

  it('unknown names, names given twice and arguments after the object are TypeErrors naming the op', () => {
    expect(() => x.sum({ dims: 1 } as any)).toThrow(
      new TypeError("sum: unknown option 'dims' (expected 'dim', 'keepdim')"),
    );
    expect(() => x.sum(1, { dim: 0 } as any)).toThrow(
      new TypeError("sum: 'dim' is given both as an argument and as an option"),
    );
    expect(() => tg.clamp(x, { min: 0 } as any, 3)).toThrow(
      new TypeError('clamp: the options object must be the last argument, got a number (3) after it'),
    );
    expect(() => tg.gelu(x, { approximate: 'fast' } as any)).toThrow(
      /gelu: argument 'approximate' must be 'none' or 'tanh'/,
    );
    expect(() => x.var(1, { dim: 0 } as any)).toThrow(/var: unknown option 'dim'/);
  });
});

describe('in-place ops found by the differential suite', () => {
  it("on matmul's result with a 1-D operand (an op's own reshape is not a view)", () => {
    const a = tg.tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2], dtype: 'float64', requiresGrad: true });
    const y = tg.matmul(a, tg.tensor(new Float64Array([1, 1]), { shape: [2], dtype: 'float64' }));
    y.mul_(2);
    y.sum().backward();
    expect(a.grad!.toArray()).toEqual([
      [2, 2],
      [2, 2],
    ]); // PyTorch 1.13
  });

  it("on crossEntropy's per-element result for [N, C, d] input", () => {
    const z = tg.tensor(new Float64Array([0.5, -1, 2, 1, 0.25, 3]), {
      shape: [1, 3, 2],
      dtype: 'float64',
      requiresGrad: true,
    });
    const l = tg.nn.functional.crossEntropy(z, tg.tensor(new Int32Array([0, 2]), { shape: [1, 2], dtype: 'int32' }), {
      reduction: 'none',
    });
    l.add_(1).sum().backward();
    const expected = [-0.84027, 0.015876, 0.71587, 0.11731, 0.1244, -0.13319]; // PyTorch 1.13
    (z.grad!.data as Float64Array).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i], 4);
    });
  });

  it('with the tensor itself as the other operand (y.add_(y), y.mul_(y), y.div_(y))', () => {
    const a = f64([1, 2]);
    const y = a.mul(3);
    y.add_(y);
    y.sum().backward();
    expect(a.grad!.toArray()).toEqual([6, 6]); // PyTorch 1.13
    const b = f64([1, 2]);
    const z = b.mul(3);
    z.mul_(z); // (3b)² → 18b
    z.sum().backward();
    expect(b.grad!.toArray()).toEqual([18, 36]);
    expect(
      tg.autograd.gradcheck(
        (v: Tensor) => {
          const w = v.mul(1.5);
          w.div_(w);
          return w.add(v);
        },
        [f64([0.5, 2])],
      ),
    ).toBe(true);
  });
});

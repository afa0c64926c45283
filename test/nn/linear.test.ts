// Linear: the fused bias GEMM (JS path for small products, native for large) against a reference,
// any leading dims, gradcheck/gradgradcheck in float64, PyTorch's default init, and errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { GEMM_NATIVE_MIN_FLOPS } from '../../lib/kernels/routing.js';
import { expectClose, expectGradcheck, flat, leaf } from '../helpers.js';

/** y[r, j] = Σ_p x[r, p]·W[j, p] + b[j], in float64. */
function linearRef(x: tg.Tensor, w: tg.Tensor, b: tg.Tensor | null): number[] {
  const inF = w.shape[1],
    outF = w.shape[0];
  const xs = flat(x),
    ws = flat(w),
    bs = b ? flat(b) : null;
  const rows = xs.length / inF;
  const out: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < outF; j++) {
      let s = 0;
      for (let p = 0; p < inF; p++) s += xs[r * inF + p] * ws[j * inF + p];
      out.push(s + (bs ? bs[j] : 0));
    }
  return out;
}

describe('functional.linear', () => {
  const F = tg.nn.functional;
  it.each([
    ['2-D, JS path', [4, 3], 5],
    ['3-D leading dims', [2, 3, 4], 6],
    ['1-D input', [7], 3],
    ['native path', [40, 30], 50],
    ['native path, 3-D', [3, 20, 17], 33],
  ] as [string, number[], number][])('%s: values with and without bias', (_name, xShape, outF) => {
    const inF = xShape[xShape.length - 1];
    const x = leaf(xShape, { seed: 1 }),
      w = leaf([outF, inF], { seed: 2 }),
      b = leaf([outF], { seed: 3 });
    const y = F.linear(x, w, b);
    expect(y.shape).toEqual([...xShape.slice(0, -1), outF]);
    expectClose(y, linearRef(x, w, b), 1e-12, 1e-12);
    expectClose(F.linear(x, w), linearRef(x, w, null), 1e-12, 1e-12);
    // float32 through the same path.
    const y32 = F.linear(x.float(), w.float(), b.float());
    expectClose(y32, linearRef(x, w, b), 1e-4, 1e-4);
  });

  it('the native product size is really above the JS threshold in the native cases', () => {
    expect(40 * 30 * 50).toBeGreaterThanOrEqual(GEMM_NATIVE_MIN_FLOPS);
    expect(4 * 3 * 5).toBeLessThan(GEMM_NATIVE_MIN_FLOPS);
  });

  it.each([
    [[4, 3], 2, true],
    [[2, 3, 4], 3, true],
    [[5], 2, false],
    [[20, 16], 15, true], // the native GEMM in forward and backward
  ] as [number[], number, boolean][])('gradcheck %j → %d (bias %s)', (xShape, outF, withBias) => {
    const inF = xShape[xShape.length - 1];
    const x = leaf(xShape, { seed: 4 }),
      w = leaf([outF, inF], { seed: 5 }),
      b = leaf([outF], { seed: 6 });
    if (withBias) expectGradcheck((a: tg.Tensor, c: tg.Tensor, d: tg.Tensor) => F.linear(a, c, d), [x, w, b]);
    else expectGradcheck((a: tg.Tensor, c: tg.Tensor) => F.linear(a, c), [x, w]);
  });

  it('gradgradcheck (backward is made of matmulT and sum)', () => {
    const x = leaf([3, 4], { seed: 7 }),
      w = leaf([2, 4], { seed: 8 }),
      b = leaf([2], { seed: 9 });
    expect(
      tg.autograd.gradgradcheck((a: tg.Tensor, c: tg.Tensor, d: tg.Tensor) => F.linear(a, c, d).tanh(), [x, w, b]),
    ).toBe(true);
  });

  it('only needed gradients are computed; zero-size batches work', () => {
    const x = tg.randn([3, 4]),
      w = leaf([2, 4], { dtype: 'float32' });
    F.linear(x, w).sum().backward();
    expect(x.grad).toBeNull();
    expect(w.grad!.shape).toEqual([2, 4]);
    const empty = F.linear(tg.zeros([0, 4]), tg.zeros([2, 4]), tg.ones([2]));
    expect(empty.shape).toEqual([0, 2]);
    expectClose(F.linear(tg.zeros([2, 0]), tg.zeros([3, 0]), tg.ones([3])), [1, 1, 1, 1, 1, 1]);
  });

  it('rejects bad arguments', () => {
    const x = tg.zeros([2, 3]);
    expect(() => F.linear(x, tg.zeros([4, 2]))).toThrow(
      "linear: x's last dim must equal weight's in-features, got x [2, 3] and weight [4, 2]",
    );
    expect(() => F.linear(x, tg.zeros([3]))).toThrow("linear: argument 'weight' must be 2-D [out, in], got shape [3]");
    expect(() => F.linear(x, tg.zeros([4, 3]), tg.zeros([3]))).toThrow(
      "linear: argument 'bias' must have shape [4], got [3]",
    );
    expect(() => F.linear(x, tg.zeros([4, 3], { dtype: 'float64' }))).toThrow(
      'linear: x, weight and bias must have the same dtype, got x float32, weight float64',
    );
    expect(() => F.linear(x, tg.zeros([4, 3], { dtype: 'int32' }))).toThrow(
      "linear: argument 'weight' must be float32 or float64, got int32",
    );
    expect(() => F.linear(tg.tensor(1), tg.zeros([1, 1]))).toThrow(
      "linear: argument 'x' must have at least one dim, got shape []",
    );
    expect(() => F.linear('x' as never, tg.zeros([1, 1]))).toThrow(
      "linear: argument 'x' must be a Tensor, got a string",
    );
  });
});

describe('nn.Linear', () => {
  it("has PyTorch's parameter shapes and default init bounds (weight and bias both U(±1/√in))", () => {
    tg.manualSeed(0);
    const lin = new tg.nn.Linear(64, 32);
    expect(lin.weight.shape).toEqual([32, 64]);
    expect(lin.bias!.shape).toEqual([32]);
    expect(lin.weight.dtype).toBe('float32');
    expect(lin.weight.requiresGrad && lin.bias!.requiresGrad).toBe(true);
    // kaiming_uniform(a=√5): bound = √(6/((1+5)·fanIn)) = 1/√fanIn.
    const bound = 1 / Math.sqrt(64);
    const w = flat(lin.weight),
      b = flat(lin.bias!);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.95 * bound);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    // U(−c, c) has variance c²/3.
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeCloseTo((bound * bound) / 3, 3);
  });

  it('is seeded, supports float64 and bias: false, and forward equals functional.linear', () => {
    tg.manualSeed(5);
    const a = new tg.nn.Linear(3, 2, { dtype: 'float64' });
    tg.manualSeed(5);
    const b = new tg.nn.Linear(3, 2, { dtype: 'float64' });
    expect(flat(a.weight)).toEqual(flat(b.weight));
    expect(a.weight.dtype).toBe('float64');
    const nb = new tg.nn.Linear(3, 2, { bias: false });
    expect(nb.bias).toBeNull();
    expect(nb.parameters()).toHaveLength(1);
    const x = tg.randn([4, 3], { dtype: 'float64' });
    expect(flat(a.forward(x))).toEqual(flat(tg.nn.functional.linear(x, a.weight, a.bias)));
    expect(a.toString()).toBe('Linear(inFeatures=3, outFeatures=2, bias=true)');
  });

  it('rejects bad constructor arguments', () => {
    expect(() => new tg.nn.Linear(2.5, 3)).toThrow(
      "Linear: argument 'inFeatures' must be a non-negative integer, got 2.5",
    );
    expect(() => new tg.nn.Linear(2, -1)).toThrow(
      "Linear: argument 'outFeatures' must be a non-negative integer, got -1",
    );
    expect(() => new tg.nn.Linear(2, 3, { dtype: 'int32' as never })).toThrow(
      `Linear: option 'dtype' must be 'float32' or 'float64', got "int32"`,
    );
    expect(() => new tg.nn.Linear(2, 3, { bias: 1 as never })).toThrow(
      "Linear: option 'bias' must be a boolean, got a number (1)",
    );
  });
});

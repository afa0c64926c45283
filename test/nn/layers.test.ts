// Layers: Sequential, activations, GELU (exact and tanh), Dropout, LayerNorm, Embedding: forward
// values against references, gradcheck (float64), gradgradcheck where meaningful, and errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, flat, leaf } from '../helpers.js';

const F = tg.nn.functional;

describe('Sequential and activations', () => {
  it('runs modules in order; at/append/length', () => {
    const seq = new tg.nn.Sequential(new tg.nn.Linear(3, 4, { dtype: 'float64' }), new tg.nn.Tanh());
    seq.append(new tg.nn.Sigmoid());
    expect(seq.length).toBe(3);
    expect(seq.at(-1)).toBeInstanceOf(tg.nn.Sigmoid);
    const x = leaf([2, 3]);
    const lin = seq.at(0) as tg.nn.Linear;
    expectClose(
      seq.forward(x),
      flat(lin.forward(x)).map((v) => 1 / (1 + Math.exp(-Math.tanh(v)))),
      1e-15,
      1e-14,
    );
    expect(() => seq.at(3)).toThrow('Sequential.at: index 3 is out of range for 3 modules');
    expect(() => new tg.nn.Sequential(new tg.nn.ReLU(), 3 as never)).toThrow(
      'Sequential: argument 1 must be a Module, got a number',
    );
  });

  it('ReLU, Tanh, Sigmoid, Identity match their functions', () => {
    const x = leaf([5], { seed: 2 });
    expectClose(
      new tg.nn.ReLU().forward(x),
      flat(x).map((v) => Math.max(v, 0)),
    );
    expectClose(new tg.nn.Tanh().forward(x), flat(x).map(Math.tanh), 1e-16, 1e-15);
    expectClose(
      new tg.nn.Sigmoid().forward(x),
      flat(x).map((v) => 1 / (1 + Math.exp(-v))),
      1e-16,
      1e-15,
    );
    expect(new tg.nn.Identity().forward(x)).toBe(x);
  });

  it('SiLU, ELU, LeakyReLU, Softplus, Softmax, LogSoftmax wrap the tg functions with their options', () => {
    const x = leaf([2, 3], { seed: 4 });
    expect(flat(new tg.nn.SiLU().forward(x))).toEqual(flat(tg.silu(x)));
    expect(flat(new tg.nn.ELU(0.5).forward(x))).toEqual(flat(tg.elu(x, 0.5)));
    expect(flat(new tg.nn.LeakyReLU(0.2).forward(x))).toEqual(flat(tg.leakyRelu(x, 0.2)));
    expect(flat(new tg.nn.Softplus(2, 10).forward(x))).toEqual(flat(tg.softplus(x, 2, 10)));
    expect(flat(new tg.nn.Softmax(1).forward(x))).toEqual(flat(tg.softmax(x, 1)));
    expect(flat(new tg.nn.LogSoftmax(-1).forward(x))).toEqual(flat(F.logSoftmax(x, -1)));
    expect(new tg.nn.LeakyReLU(0.2).toString()).toBe('LeakyReLU(negativeSlope=0.2)');
    expect(new tg.nn.Sequential(new tg.nn.SiLU()).parameters()).toHaveLength(0);
  });
});

/** erf(x) to about 1e-15 (an independent oracle): Maclaurin series for |x| < 2.5, the erfc continued fraction beyond. */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = x,
      s = x;
    for (let n = 1; n < 60; n++) {
      term *= (-x * x) / n;
      s += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * s;
  }
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x > 0 ? 1 - erfc : erfc - 1;
}

describe('GELU', () => {
  it("the test's erf oracle is accurate to ~1e-15 (reference values)", () => {
    // erf values from tables (Abramowitz & Stegun / high-precision computation).
    const table: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [2.5, 0.999593047982555],
      [3, 0.9999779095030014],
      [-1.5, -0.9661051464753108],
      [5, 0.9999999999984626],
    ];
    for (const [x, want] of table) expect(Math.abs(erf(x) - want)).toBeLessThan(2e-15);
  });

  it('exact and tanh forms: values, gradcheck, gradgradcheck', () => {
    const x = leaf([7], { seed: 3, scale: 2 });
    expectClose(
      F.gelu(x),
      flat(x).map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2))),
      1e-15,
      1e-14,
    );
    const k = Math.sqrt(2 / Math.PI);
    expectClose(
      new tg.nn.GELU({ approximate: 'tanh' }).forward(x),
      flat(x).map((v) => 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v ** 3)))),
      1e-15,
      1e-14,
    );
    expectGradcheck((a: tg.Tensor) => F.gelu(a), [x]);
    expectGradcheck((a: tg.Tensor) => F.gelu(a, 'tanh'), [x]);
    expect(tg.autograd.gradgradcheck((a: tg.Tensor) => F.gelu(a), [x])).toBe(true);
    expect(() => new tg.nn.GELU({ approximate: 'fast' as never })).toThrow(
      `GELU: option 'approximate' must be 'none' or 'tanh', got "fast"`,
    );
  });
});

describe('Dropout', () => {
  it('is seeded, zeroes about p of the elements and scales the rest by 1/(1−p); identity in eval', () => {
    const d = new tg.nn.Dropout(0.25);
    const x = tg.ones([4000]);
    tg.manualSeed(11);
    const a = flat(d.forward(x));
    tg.manualSeed(11);
    const b = flat(d.forward(x));
    expect(a).toEqual(b);
    const zeros = a.filter((v) => v === 0).length;
    expect(zeros / a.length).toBeGreaterThan(0.22);
    expect(zeros / a.length).toBeLessThan(0.28);
    expect(a.filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(F.dropout(x, 0.5, false)).toBe(x);
    expect(flat(F.dropout(x, 1)).every((v) => v === 0)).toBe(true);
  });

  it('gradient is the same mask', () => {
    const x = leaf([50], { seed: 4 });
    tg.manualSeed(3);
    const y = F.dropout(x, 0.5);
    y.sum().backward();
    expect(flat(x.grad!)).toEqual(flat(y).map((v) => (v === 0 ? 0 : 2)));
    expect(() => new tg.nn.Dropout(1.5)).toThrow('Dropout: probability p must be in [0, 1], got 1.5');
    expect(() => F.dropout(x, -0.1)).toThrow('dropout: probability p must be in [0, 1], got -0.1');
  });
});

describe('LayerNorm', () => {
  function lnRef(x: tg.Tensor, k: number, w?: number[], b?: number[], eps = 1e-5): number[] {
    const xs = flat(x),
      out: number[] = [];
    for (let s = 0; s < xs.length; s += k) {
      const seg = xs.slice(s, s + k);
      const mu = seg.reduce((p, q) => p + q, 0) / k;
      const v = seg.reduce((p, q) => p + (q - mu) ** 2, 0) / k;
      seg.forEach((q, i) => {
        out.push(((q - mu) / Math.sqrt(v + eps)) * (w ? w[i] : 1) + (b ? b[i] : 0));
      });
    }
    return out;
  }

  it('normalises the trailing dims (biased variance), then scales and shifts; gradcheck', () => {
    const ln = new tg.nn.LayerNorm([3, 4], { dtype: 'float64' });
    expect(flat(ln.weight!)).toEqual(new Array(12).fill(1));
    expect(flat(ln.bias!)).toEqual(new Array(12).fill(0));
    const x = leaf([2, 3, 4], { seed: 5, scale: 3, shift: 1 });
    expectClose(ln.forward(x), lnRef(x, 12), 1e-14, 1e-12);
    const w = leaf([4], { seed: 6 }),
      b = leaf([4], { seed: 7 });
    expectClose(F.layerNorm(x, [4], w, b, 1e-3), lnRef(x, 4, flat(w), flat(b), 1e-3), 1e-14, 1e-12);
    expectGradcheck((a: tg.Tensor, c: tg.Tensor, d: tg.Tensor) => F.layerNorm(a, [4], c, d), [x, w, b]);
    expect(
      tg.autograd.gradgradcheck((a: tg.Tensor, c: tg.Tensor) => F.layerNorm(a, [4], c), [leaf([2, 4], { seed: 8 }), w]),
    ).toBe(true);
    const noAffine = new tg.nn.LayerNorm(4, { elementwiseAffine: false });
    expect(noAffine.parameters()).toHaveLength(0);
  });

  it('rejects mismatched shapes', () => {
    expect(() => new tg.nn.LayerNorm(3).forward(tg.zeros([2, 4]))).toThrow(
      'layerNorm: input of shape [2, 4] does not end with normalizedShape [3]',
    );
    expect(() => F.layerNorm(tg.zeros([2, 4]), [4], tg.zeros([3]))).toThrow(
      "layerNorm: argument 'weight' must have shape [4], got [3]",
    );
    expect(() => new tg.nn.LayerNorm([])).toThrow(
      "LayerNorm: argument 'normalizedShape' must be a positive integer or a non-empty array of them, got []",
    );
  });
});

describe('Embedding', () => {
  it('looks up rows for any index shape; repeated indices accumulate gradient; gradcheck and gradgradcheck', () => {
    tg.manualSeed(1);
    const emb = new tg.nn.Embedding(5, 3, { dtype: 'float64' });
    const idx = tg.tensor(new Int32Array([4, 0, 4, 2]), { shape: [2, 2] });
    const y = emb.forward(idx);
    expect(y.shape).toEqual([2, 2, 3]);
    const w = emb.weight.toArray() as number[][];
    expectClose(y, [...w[4], ...w[0], ...w[4], ...w[2]]);
    y.sum().backward();
    expect(emb.weight.grad!.toArray()).toEqual([
      [1, 1, 1],
      [0, 0, 0],
      [1, 1, 1],
      [0, 0, 0],
      [2, 2, 2],
    ]);
    const weight = leaf([5, 3], { seed: 2 });
    expectGradcheck((wt: tg.Tensor) => F.embedding(idx, wt).mul(F.embedding(idx, wt)), [weight]);
    expect(tg.autograd.gradgradcheck((wt: tg.Tensor) => F.embedding(idx, wt).pow(3), [weight])).toBe(true);
  });

  it('rejects bad indices', () => {
    const emb = new tg.nn.Embedding(3, 2);
    expect(() => emb.forward(tg.tensor(new Int32Array([0, 3])))).toThrow(
      'embedding: index 3 is out of range for 3 embeddings (at flat index 1)',
    );
    expect(() => emb.forward(tg.tensor([0, 1]))).toThrow("embedding: argument 'indices' must be int32, got float32");
    expect(() => new tg.nn.Embedding(-1, 2)).toThrow(
      "Embedding: argument 'numEmbeddings' must be a non-negative integer, got -1",
    );
  });
});

// Losses: forward values against references written from torch's documented formulas, gradcheck
// (float64), gradgradcheck, the native (large) and JS (small) cross-entropy paths, and errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { CE_NATIVE_MIN_ELEMENTS } from '../../lib/kernels/routing.js';
import { expectClose, expectGradcheck, flat, leaf } from '../helpers.js';

const F = tg.nn.functional;

function int32(values: number[], shape?: number[]): tg.Tensor {
  return tg.tensor(Int32Array.from(values), shape ? { shape } : undefined);
}

function seededInts(n: number, hi: number, seed: number): number[] {
  tg.manualSeed(seed);
  return flat(tg.rand([n], { dtype: 'float64' })).map((u) => Math.floor(u * hi));
}

interface RefOpts {
  reduction?: 'mean' | 'sum' | 'none';
  ignoreIndex?: number;
  labelSmoothing?: number;
  weight?: number[];
}

/** torch.nn.functional.cross_entropy for [M, C] logits, written from its documentation. */
function ceRef(z: number[][], target: number[] | number[][], o: RefOpts = {}): number[] | number {
  const eps = o.labelSmoothing ?? 0,
    ignore = o.ignoreIndex ?? -100,
    C = z[0]?.length ?? 0;
  const w = (c: number) => (o.weight ? o.weight[c] : 1);
  const logp = z.map((row) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    return row.map((v) => v - lse);
  });
  const losses: number[] = [];
  let denom = 0;
  z.forEach((_, i) => {
    const t = target[i];
    if (Array.isArray(t)) {
      let l = 0;
      for (let c = 0; c < C; c++) l -= w(c) * ((1 - eps) * t[c] + eps / C) * logp[i][c];
      losses.push(l);
      denom += 1;
      return;
    }
    if (t === ignore) {
      losses.push(0);
      return;
    }
    const nll = -w(t) * logp[i][t];
    let smooth = 0;
    for (let c = 0; c < C; c++) smooth -= w(c) * logp[i][c];
    losses.push((1 - eps) * nll + (eps / C) * smooth);
    denom += w(t);
  });
  const red = o.reduction ?? 'mean';
  if (red === 'none') return losses;
  const s = losses.reduce((a, b) => a + b, 0);
  return red === 'sum' ? s : s / denom;
}

function rows(x: tg.Tensor): number[][] {
  return x.toArray() as number[][];
}

describe('crossEntropy', () => {
  it('matches the textbook value for one row', () => {
    const z = tg.tensor([[1, 2, 3]], { dtype: 'float64' });
    expectClose(F.crossEntropy(z, int32([2])), Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3, 1e-15, 1e-14);
  });

  const optionSets: RefOpts[] = [
    {},
    { reduction: 'sum' },
    { reduction: 'none' },
    { ignoreIndex: 1 },
    { labelSmoothing: 0.1 },
    { labelSmoothing: 0.3, reduction: 'sum' },
    { weight: [0.5, 1, 2, 0.25, 3] },
    { weight: [0.5, 1, 2, 0.25, 3], labelSmoothing: 0.2, ignoreIndex: 0 },
    { weight: [0.5, 1, 2, 0.25, 3], labelSmoothing: 0.2, reduction: 'none' },
  ];

  it.each(optionSets)('class indices, options %j: values and gradcheck', (o) => {
    const z = leaf([6, 5], { seed: 21, scale: 2 });
    const t = [0, 1, 4, 1, 3, 2];
    const opts = { ...o, weight: o.weight ? tg.tensor(o.weight, { dtype: 'float64' }) : undefined };
    expectClose(F.crossEntropy(z, int32(t), opts), ceRef(rows(z), t, o), 1e-14, 1e-13);
    expectGradcheck((x: tg.Tensor) => F.crossEntropy(x, int32(t), opts), [z]);
  });

  it.each(optionSets.filter((o) => o.ignoreIndex === undefined))(
    'probability targets, options %j: values and gradcheck (input and target)',
    (o) => {
      const z = leaf([4, 5], { seed: 22, scale: 2 });
      tg.manualSeed(5);
      const raw = tg.rand([4, 5], { dtype: 'float64' });
      const t = raw.div(raw.sum(1, true)).detach().requiresGrad_(true);
      const opts = { ...o, weight: o.weight ? tg.tensor(o.weight, { dtype: 'float64' }) : undefined };
      expectClose(F.crossEntropy(z, t, opts), ceRef(rows(z), rows(t), o), 1e-14, 1e-13);
      expectGradcheck((x: tg.Tensor, y: tg.Tensor) => F.crossEntropy(x, y, opts), [z, t]);
    },
  );

  it('mean over non-ignored targets; all ignored gives NaN like torch', () => {
    const z = leaf([3, 4], { seed: 3 });
    const t = [2, -100, 1];
    expectClose(F.crossEntropy(z, int32(t)), ceRef(rows(z), t), 1e-15, 1e-14);
    expect(F.crossEntropy(z, int32([-100, -100, -100])).item()).toBeNaN();
    expectGradcheck((x: tg.Tensor) => F.crossEntropy(x, int32(t)), [z]);
  });

  it('[N, C, d1, d2] input with [N, d1, d2] target and reduction none keeps the shape', () => {
    const z = leaf([2, 3, 2, 2], { seed: 8 });
    const t = int32([0, 1, 2, 1, 2, 2, 0, 1], [2, 2, 2]);
    const out = F.crossEntropy(z, t, { reduction: 'none' });
    expect(out.shape).toEqual([2, 2, 2]);
    // Reference: move C last by hand.
    const zs = z.toArray() as number[][][][];
    const rowsRef: number[][] = [];
    for (let n = 0; n < 2; n++)
      for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) rowsRef.push([0, 1, 2].map((c) => zs[n][c][a][b]));
    expectClose(out, ceRef(rowsRef, flat(t), { reduction: 'none' }), 1e-14, 1e-13);
    expectGradcheck((x: tg.Tensor) => F.crossEntropy(x, t, { labelSmoothing: 0.1 }), [z]);
  });

  it('1-D input [C] with a 0-d target', () => {
    const z = leaf([4], { seed: 2 });
    const t = tg.tensor(new Int32Array([3]), { shape: [] });
    expectClose(F.crossEntropy(z, t), ceRef([flat(z)], [3]), 1e-15, 1e-14);
    expect(F.crossEntropy(z, t, { reduction: 'none' }).shape).toEqual([]);
  });

  it('extreme logits (±1e4) give finite, correct values and gradients', () => {
    const z = tg.tensor(
      [
        [1e4, -1e4, 0],
        [-1e4, -1e4, -1e4],
      ],
      { dtype: 'float32', requiresGrad: true },
    );
    const loss = F.crossEntropy(z, int32([1, 2]), { reduction: 'none' });
    expectClose(loss, [2e4, Math.log(3)], 1e-2, 1e-6);
    loss.sum().backward();
    expect(flat(z.grad!).every(Number.isFinite)).toBe(true);
    expectClose(z.grad!, [1, -1, 0, 1 / 3, 1 / 3, -2 / 3], 1e-6, 1e-5);
  });

  it('an in-place change to the target before backward is caught', () => {
    const z = leaf([2, 3], { seed: 1 });
    const t = int32([0, 2]);
    const loss = F.crossEntropy(z, t);
    t.fill_(1);
    expect(() => loss.backward()).toThrow(/modified by an in-place operation/);
  });

  it('gradgradcheck through the composed createGraph backward', () => {
    const z = leaf([3, 4], { seed: 4 });
    for (const o of [{}, { labelSmoothing: 0.2, reduction: 'none' as const }])
      expect(tg.autograd.gradgradcheck((x: tg.Tensor) => F.crossEntropy(x, int32([1, 0, 3]), o), [z])).toBe(true);
    tg.manualSeed(6);
    const raw = tg.rand([3, 4], { dtype: 'float64' });
    const t = raw.div(raw.sum(1, true)).detach().requiresGrad_(true);
    expect(tg.autograd.gradgradcheck((x: tg.Tensor, y: tg.Tensor) => F.crossEntropy(x, y), [z, t])).toBe(true);
  });

  describe('native path (≥ CE_NATIVE_MIN_ELEMENTS logits) agrees with the JS path and the reference', () => {
    const M = 97,
      C = 67;
    expect(M * C).toBeGreaterThanOrEqual(CE_NATIVE_MIN_ELEMENTS);
    const variants: [string, RefOpts & { prob?: boolean }][] = [
      ['plain', {}],
      [
        'smoothing + weight + ignore',
        { labelSmoothing: 0.15, weight: Array.from({ length: C }, (_, c) => 0.5 + (c % 5) / 4), ignoreIndex: 3 },
      ],
      ['none', { reduction: 'none' }],
      ['probabilities', { prob: true, labelSmoothing: 0.05 }],
    ];
    for (const dtype of ['float64', 'float32'] as const)
      it.each(variants)(`${dtype} %s`, (_name, o) => {
        const z = leaf([M, C], { seed: 31, scale: 3, dtype });
        const tIdx = seededInts(M, C, 4);
        let target: tg.Tensor;
        let tRef: number[] | number[][];
        if (o.prob) {
          tg.manualSeed(7);
          const raw = tg.rand([M, C], { dtype });
          target = raw.div(raw.sum(1, true));
          tRef = rows(target);
        } else {
          target = int32(tIdx);
          tRef = tIdx;
        }
        const opts = { ...o, prob: undefined, weight: o.weight ? tg.tensor(o.weight, { dtype }) : undefined };
        const tol = dtype === 'float64' ? 1e-12 : 2e-5;
        const loss = F.crossEntropy(z, target, opts);
        expectClose(loss, ceRef(rows(z), tRef, o), tol, tol);
        // Gradient vs the JS path: the same loss over rows split into small (JS-sized) chunks.
        const g = o.reduction === 'none' ? tg.ones([M], { dtype }) : undefined;
        loss.backward(g);
        const native = flat(z.grad!);
        z.grad = null;
        const chunk = 16;
        const pieces: number[] = [];
        for (let s = 0; s < M; s += chunk) {
          const e = Math.min(M, s + chunk);
          const zc = tg.tensor(flat(z).slice(s * C, e * C), { dtype, shape: [e - s, C], requiresGrad: true });
          const tc = o.prob
            ? tg.tensor(flat(target).slice(s * C, e * C), { dtype, shape: [e - s, C] })
            : int32(tIdx.slice(s, e));
          // Per-row losses scaled exactly as in the full mean/sum.
          const per = F.crossEntropy(zc, tc, { ...opts, reduction: 'none' });
          let scale = 1;
          if ((o.reduction ?? 'mean') === 'mean') {
            const full = ceRef(rows(z), tRef, { ...o, reduction: 'sum' }) as number;
            scale = (loss.item() === 0 ? 1 : full / loss.item()) ** -1;
          }
          per.sum().mul(scale).backward();
          pieces.push(...flat(zc.grad!));
        }
        expectClose(native, pieces, dtype === 'float64' ? 1e-12 : 1e-6, dtype === 'float64' ? 1e-10 : 1e-4);
      });
  });

  it('rejects bad arguments with messages naming the argument', () => {
    const z = tg.zeros([2, 3]);
    expect(() => F.crossEntropy(z, int32([0, 3]))).toThrow(
      'crossEntropy: target 3 is out of bounds for 3 classes (at flat index 1)',
    );
    expect(() => F.crossEntropy(z, int32([0, -1]))).toThrow(
      'crossEntropy: target -1 is out of bounds for 3 classes (at flat index 1)',
    );
    expect(() => F.crossEntropy(z, int32([0, 1, 2]))).toThrow(
      'crossEntropy: class-index target must have shape [2] for input [2, 3], got [3]',
    );
    expect(() => F.crossEntropy(z, tg.zeros([2, 2]))).toThrow(
      "crossEntropy: probability target must have input's shape [2, 3], got [2, 2]",
    );
    expect(() => F.crossEntropy(z, tg.zeros([2, 3], { dtype: 'float64' }))).toThrow(
      "crossEntropy: probability target must have input's dtype float32, got float64",
    );
    expect(() => F.crossEntropy(z, tg.tensor([true, false]))).toThrow(
      "crossEntropy: argument 'target' must be int32 class indices or float probabilities, got bool",
    );
    expect(() => F.crossEntropy(tg.zeros([2, 3], { dtype: 'int32' }), int32([0, 1]))).toThrow(
      "crossEntropy: argument 'input' must be float32 or float64, got int32",
    );
    expect(() => F.crossEntropy(z, int32([0, 1]), { reduction: 'avg' as never })).toThrow(
      `crossEntropy: option 'reduction' must be 'mean', 'sum' or 'none', got "avg"`,
    );
    expect(() => F.crossEntropy(z, int32([0, 1]), { labelSmoothing: 1.5 })).toThrow(
      "crossEntropy: option 'labelSmoothing' must be a number in [0, 1], got 1.5",
    );
    expect(() => F.crossEntropy(z, int32([0, 1]), { weight: tg.ones([2]) })).toThrow(
      "crossEntropy: option 'weight' must have shape [3] (one weight per class), got [2]",
    );
    expect(() => F.crossEntropy(z, int32([0, 1]), { ignoreIndex: 0.5 })).toThrow(
      "crossEntropy: option 'ignoreIndex' must be an integer, got 0.5",
    );
    expect(() => F.crossEntropy([1] as never, int32([0]))).toThrow(
      "crossEntropy: argument 'input' must be a Tensor, got an array",
    );
    expect(() => F.crossEntropy(tg.tensor(1), int32([0]))).toThrow(
      "crossEntropy: argument 'input' must have at least one dim [N, C, ...] or [C], got shape []",
    );
  });
});

describe('nllLoss', () => {
  it('equals crossEntropy of log-softmax inputs, with weights and ignoreIndex; gradcheck', () => {
    const z = leaf([5, 4], { seed: 12 });
    const t = [3, 0, -100, 2, 1];
    const w = [1, 2, 0.5, 1.5];
    const logp = rows(z).map((r) => {
      const m = Math.max(...r);
      const l = m + Math.log(r.reduce((s, v) => s + Math.exp(v - m), 0));
      return r.map((v) => v - l);
    });
    const lp = tg.tensor(logp, { dtype: 'float64', requiresGrad: true });
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const o = { reduction, weight: tg.tensor(w, { dtype: 'float64' }) };
      expectClose(F.nllLoss(lp, int32(t), o), ceRef(rows(z), t, { reduction, weight: w }), 1e-14, 1e-13);
      expectGradcheck((x: tg.Tensor) => F.nllLoss(x, int32(t), o), [lp]);
    }
    expect(tg.autograd.gradgradcheck((x: tg.Tensor) => F.nllLoss(x, int32(t)), [lp])).toBe(true);
  });

  it('handles [N, C, d] inputs and rejects bad targets', () => {
    const x = leaf([2, 3, 2], { seed: 1 });
    const t = int32([0, 2, 1, 1], [2, 2]);
    const xs = x.toArray() as number[][][];
    const want = -(xs[0][0][0] + xs[0][2][1] + xs[1][1][0] + xs[1][1][1]) / 4;
    expectClose(F.nllLoss(x, t), want, 1e-15, 1e-14);
    expectGradcheck((a: tg.Tensor) => F.nllLoss(a, t), [x]);
    expect(() => F.nllLoss(tg.zeros([2, 3]), int32([0, 5]))).toThrow(
      'nllLoss: target 5 is out of bounds for 3 classes (at flat index 1)',
    );
    expect(() => F.nllLoss(tg.zeros([2, 3]), tg.zeros([2]))).toThrow(
      "nllLoss: argument 'target' must be int32 class indices, got float32",
    );
  });
});

describe('mseLoss / l1Loss', () => {
  it.each(['mean', 'sum', 'none'] as const)('values and gradcheck (%s)', (reduction) => {
    const a = leaf([3, 4], { seed: 1 }),
      b = leaf([3, 4], { seed: 2 });
    const d = flat(a).map((v, i) => v - flat(b)[i]);
    const red = (xs: number[]) =>
      reduction === 'none'
        ? xs
        : reduction === 'sum'
          ? xs.reduce((p, q) => p + q, 0)
          : xs.reduce((p, q) => p + q, 0) / xs.length;
    expectClose(F.mseLoss(a, b, { reduction }), red(d.map((v) => v * v)), 1e-15, 1e-14);
    expectClose(F.l1Loss(a, b, { reduction }), red(d.map(Math.abs)), 1e-15, 1e-14);
    expectGradcheck((x: tg.Tensor, y: tg.Tensor) => F.mseLoss(x, y, { reduction }), [a, b]);
    expectGradcheck((x: tg.Tensor, y: tg.Tensor) => F.l1Loss(x, y, { reduction }), [a, b]);
  });

  it('rejects shape and dtype mismatches', () => {
    expect(() => F.mseLoss(tg.zeros([2, 3]), tg.zeros([3]))).toThrow(
      'mseLoss: input and target must have the same shape, got input [2, 3] and target [3]',
    );
    expect(() => F.l1Loss(tg.zeros([2]), tg.zeros([2], { dtype: 'float64' }))).toThrow(
      'l1Loss: input and target must have the same dtype, got input float32 and target float64',
    );
    expect(() => F.mseLoss(tg.zeros([2]), tg.zeros([2]), { reduction: 'max' as never })).toThrow(
      `mseLoss: option 'reduction' must be 'mean', 'sum' or 'none', got "max"`,
    );
  });
});

describe('binaryCrossEntropyWithLogits', () => {
  const ref = (x: number, t: number, pw = 1, w = 1) =>
    w * -(pw * t * Math.log(1 / (1 + Math.exp(-x))) + (1 - t) * Math.log(1 - 1 / (1 + Math.exp(-x))));

  it('matches −[pw·t·log σ(x) + (1−t)·log(1−σ(x))] with weight and posWeight; gradcheck', () => {
    const x = leaf([3, 4], { seed: 5, scale: 2 });
    tg.manualSeed(9);
    const t = tg.rand([3, 4], { dtype: 'float64' }).detach().requiresGrad_(true);
    const pw = tg.tensor([0.5, 1, 2, 3], { dtype: 'float64' });
    const w = tg.tensor([[1], [2], [0.5]], { dtype: 'float64' });
    const xs = flat(x),
      ts = flat(t);
    expectClose(
      F.binaryCrossEntropyWithLogits(x, t, { reduction: 'none' }),
      xs.map((v, i) => ref(v, ts[i])),
      1e-14,
      1e-12,
    );
    expectClose(
      F.binaryCrossEntropyWithLogits(x, t, { posWeight: pw, weight: w, reduction: 'sum' }),
      xs.map((v, i) => ref(v, ts[i], flat(pw)[i % 4], flat(w)[Math.floor(i / 4)])).reduce((a, b) => a + b, 0),
      1e-13,
      1e-12,
    );
    expectGradcheck(
      (a: tg.Tensor, b: tg.Tensor) => F.binaryCrossEntropyWithLogits(a, b, { posWeight: pw, weight: w }),
      [x, t],
    );
    expect(
      tg.autograd.gradgradcheck(
        (a: tg.Tensor, b: tg.Tensor) => F.binaryCrossEntropyWithLogits(a, b, { posWeight: pw }),
        [x, t],
      ),
    ).toBe(true);
    expect(tg.autograd.gradgradcheck((a: tg.Tensor, b: tg.Tensor) => F.mseLoss(a, b), [x, t])).toBe(true);
  });

  it('is stable for large logits', () => {
    const x = tg.tensor([1000, -1000, 50], { dtype: 'float32', requiresGrad: true });
    const t = tg.tensor([0, 1, 1], { dtype: 'float32' });
    const l = F.binaryCrossEntropyWithLogits(x, t, { reduction: 'none' });
    expectClose(l, [1000, 1000, Math.log1p(Math.exp(-50))], 1e-6, 1e-6);
    l.sum().backward();
    expectClose(x.grad!, [1, -1, -Math.exp(-50)], 1e-6, 1e-6);
  });

  it('rejects mismatched options', () => {
    expect(() =>
      F.binaryCrossEntropyWithLogits(tg.zeros([2]), tg.zeros([2]), { posWeight: tg.zeros([2], { dtype: 'float64' }) }),
    ).toThrow("binaryCrossEntropyWithLogits: option 'posWeight' must have input's dtype float32, got float64");
  });
});

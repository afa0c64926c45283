// The arena behind a plan: poison mode (every slot filled with NaN bytes once its last reader ran) gives
// the results of normal replay and of eager, so no two live values share bytes; summary() and toDot();
// constants made inside the step keep their values although their slots share bytes; a replayed step
// allocates nothing from the pool; runs on a few elements replay as eager's JS loops.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { native } from '../../lib/native.js';
import { batches, expectSame, expectSameParameters, expectSameTree, classifierStep, mlp } from './util.js';

const { nn, optim } = tg;
const F = nn.functional;

/** The brief's MLP step: 784-512-256-10, crossEntropy, SGD with momentum; returns the loss and the logits. */
function mlpSetup(seed: number) {
  const model = mlp([784, 512, 256, 10], seed);
  const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  return { model, opt, step: classifierStep(model, opt) };
}

/** The lecture's f(x, y) = x·y + sin(x), with both gradients (elementwise, for x and y of any one shape). */
function lecture(x: tg.Tensor, y: tg.Tensor): tg.Tensor[] {
  const out = x.mul(y).add(x.sin());
  const [gx, gy] = tg.autograd.grad(out, [x, y], { gradOutputs: tg.onesLike(out) });
  return [out.detach(), gx!, gy!]; // both inputs are used: neither gradient is null
}

/** The built library (dist/, made by `npm ci` and `npm test`), for a child process with other Node flags. */
const builtIndex = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/esm/index.js');

const scalar = (v: number) => tg.tensor(v, { dtype: 'float64', requiresGrad: true });

/** Small programs with many intermediates of several sizes and dtypes: each returns values and gradients. */
const programs: [string, () => tg.Tensor[], (...xs: tg.Tensor[]) => tg.Tensor[]][] = [
  [
    'matmul, softmax, logSumExp, layerNorm, crossEntropy',
    () => {
      tg.manualSeed(31);
      return [tg.randn([24, 40]), tg.randn([40, 30]), tg.tensor(Int32Array.from({ length: 24 }, (_, i) => i % 30))];
    },
    (x, w, y) => {
      const wl = w.detach().requiresGrad_(true);
      const h = F.layerNorm(tg.matmul(x, wl), [30]);
      const s = tg.softmax(h, 1);
      const loss = F.crossEntropy(h, y).add(tg.logSumExp(h, 1).mean()).add(s.square().sum());
      loss.backward();
      return [loss.detach(), s.detach(), wl.grad!];
    },
  ],
  [
    'indexing: cat, split, slice, gather, indexSelect, where, maskedFill',
    () => {
      tg.manualSeed(32);
      return [
        tg.randn([12, 10]),
        tg.randn([12, 6]),
        tg.tensor(
          Int32Array.from({ length: 12 * 4 }, (_, i) => (i * 7) % 16),
          { shape: [12, 4] },
        ),
      ];
    },
    (a, b, idx) => {
      const al = a.detach().requiresGrad_(true),
        bl = b.detach().requiresGrad_(true);
      const c = tg.cat([al, bl], 1); // [12, 16]
      const [p, q] = tg.split(c, 8, 1);
      const g = tg.gather(c, 1, idx);
      const r = tg.indexSelect(p, 0, tg.tensor(Int32Array.of(3, 1, 4, 1, 5))).sum(0);
      const m = tg.where(tg.gt(p, q), p, q.mul(2));
      const f = tg.maskedFill(m, tg.lt(m, 0), 0.5);
      const out = g
        .sum()
        .add(r.sum())
        .add(tg.slice(f, 1, 1, 7, 2).mul(f.mean()).sum());
      out.backward();
      return [out.detach(), f.detach(), al.grad!, bl.grad!];
    },
  ],
  [
    'reductions and elementwise on both sides of the native cut-offs',
    () => {
      tg.manualSeed(33);
      return [tg.randn([160, 128]), tg.randn([9, 7])];
    },
    (big, small) => {
      const bl = big.detach().requiresGrad_(true),
        sl = small.detach().requiresGrad_(true);
      const u = tg.tanh(bl).mul(tg.sigmoid(bl.t().t())).sub(bl.exp().mean(0));
      const v = tg
        .var(u, 1)
        .sum()
        .add(tg.norm(u))
        .add(tg.prod(sl.add(2).clamp(0.5, 2), 1).sum());
      const w = tg.max(u, 1).values.sum().add(tg.std(sl));
      const out = v.add(w);
      out.backward();
      return [out.detach(), u.detach(), bl.grad!, sl.grad!];
    },
  ],
];

describe('tg.compile arena', () => {
  it('poison mode: the MLP step gives the results of normal replay and of eager', () => {
    const data = batches(3, 128, 784, 10, 40);
    const eager = mlpSetup(1),
      plain = mlpSetup(1),
      poisoned = mlpSetup(1);
    const plainStep = tg.compile(plain.step);
    const poisonedStep = tg.compile(poisoned.step, { poison: true });
    for (let i = 0; i < 4; i++) {
      const { x, y } = data[i % 3];
      const want = eager.step(x, y);
      expectSameTree(plainStep(x, y), want, `step ${i}, normal replay`);
      expectSameTree(poisonedStep(x, y), want, `step ${i}, poisoned replay`);
    }
    expectSameParameters(plain.model, eager.model);
    expectSameParameters(poisoned.model, eager.model);
    // Slots do share bytes (else poisoning would prove nothing).
    const s = poisonedStep.plan!.summary();
    expect(s.arenaBytes).toBeLessThan(s.recordedBytes);
  });

  for (const [name, inputs, fn] of programs)
    it(`poison mode: ${name}`, () => {
      const plain = tg.compile(fn);
      const poisoned = tg.compile(fn, { poison: true });
      const xs = inputs();
      for (let call = 0; call < 3; call++) {
        // New values in every float input at every call (same shapes: one plan).
        const args = xs.map((x) => (x.dtype === 'int32' ? x : x.mul(1 + call / 4)));
        const want = fn(...args);
        expectSameTree(plain(...args), want, `call ${call}, normal replay`);
        expectSameTree(poisoned(...args), want, `call ${call}, poisoned replay`);
      }
      const s = poisoned.plan!.summary();
      expect(s.arenaBytes).toBeLessThanOrEqual(s.recordedBytes);
    });

  it('summary(): counts, arena no larger than what was recorded, and the products’ flops', () => {
    const { x, y } = batches(1, 128, 784, 10, 41)[0];
    const { step } = mlpSetup(2);
    const compiled = tg.compile(step);
    expect(compiled.plan).toBeNull();
    compiled(x, y);
    const s = compiled.plan!.summary();
    // Forward 128·(784·512 + 512·256 + 256·10); backward the weights' products again and the inputs'
    // of layers 2 and 3 (x needs no gradient): 2·Σ m·n·k.
    const fwd = 128 * (784 * 512 + 512 * 256 + 256 * 10);
    expect(s.flops).toBe(2 * (2 * fwd + 128 * (512 * 256 + 256 * 10)));
    expect(s.flops).toBe(308150272);
    expect(s.arenaBytes).toBeGreaterThan(0);
    expect(s.arenaBytes).toBeLessThanOrEqual(s.recordedBytes);
    expect(s.arenaBytes % 64).toBe(0);
    expect(s.nativeCalls).toBeGreaterThanOrEqual(6); // 3 forward products, 5 backward ones at least
    expect(s.effects).toBeGreaterThanOrEqual(1); // SGD.step
    expect(s.instructions).toBeGreaterThanOrEqual(s.nativeCalls + s.jsKernels + s.effects);
    expect(s.nativeSegments).toBeGreaterThanOrEqual(1);
    expect(s.nativeSegments).toBeLessThanOrEqual(s.nativeCalls);
    // A copy: changing it changes nothing.
    (s as { flops: number }).flops = 0;
    expect(compiled.plan!.summary().flops).toBe(308150272);
  });

  it('a scalar function and both its gradients are one elementwise run, replayed as JS', () => {
    // The backward's seed (a constant made in JS) and the one-element operands join the run instead of
    // splitting it; a run on a few elements replays as eager's JS loops, without a call into the addon.
    const compiled = tg.compile(lecture);
    for (const [a, b] of [
      [2, 3],
      [-1.5, 0.25],
      [0.75, -4],
    ]) {
      const [value, gx, gy] = compiled(scalar(a), scalar(b)).map((t) => t.item());
      expect(value).toBeCloseTo(a * b + Math.sin(a), 14);
      expect(gx).toBeCloseTo(b + Math.cos(a), 14);
      expect(gy).toBe(a);
    }
    const s = compiled.plan!.summary();
    expect(s.nativeCalls).toBe(1);
    expect(s.elementwiseRuns).toBe(1);
    expect(s.jsRuns).toBe(1);
    expect(s.nativeSegments).toBe(0);
    expect(s.jsKernels).toBe(0);

    // Five elements are more than a few: the run is one addon call.
    const wide = tg.compile(lecture);
    const x5 = tg.arange(5, { dtype: 'float64' }).requiresGrad_(true);
    expectSameTree(
      wide(x5, x5.detach().add(1).requiresGrad_(true)),
      lecture(x5, x5.detach().add(1).requiresGrad_(true)),
    );
    expect(wide.plan!.summary()).toMatchObject({ nativeSegments: 1, jsRuns: 0, elementwiseRuns: 1 });

    // A long run on one element is one addon call too: the call's cost is spread over its kernels.
    const long = (x: tg.Tensor) => {
      let h = x;
      for (let i = 0; i < 200; i++) h = h.mul(1.001).sin();
      return [h];
    };
    const longCompiled = tg.compile(long);
    const x1 = tg.tensor(0.5, { dtype: 'float64' });
    // Recording and replay both run the addon's kernels: the same bits.
    expectSameTree(longCompiled(x1), longCompiled(x1), 'the long run: recording, then a replay');
    expect(longCompiled.plan!.summary()).toMatchObject({ nativeSegments: 1, jsRuns: 0 });
  });

  it('runs on a few elements give eager’s bits on every call, the recording included', () => {
    // An input where the addon's sin and V8's Math.sin (eager's JS loop at this size) differ in the
    // last bit: the recording runs the addon's kernels, so the recording call returns a replay instead.
    const sinCode = native.unaryOps.indexOf('sin');
    const out = new Float64Array(1);
    let v = 0;
    for (let i = 0; i < 1_000_000; i++) {
      v = 1000 + i * 0.0137;
      native.unary(sinCode, Float64Array.of(v), out, 0, 0);
      if (out[0] !== Math.sin(v)) break;
    }
    expect(out[0]).not.toBe(Math.sin(v));
    const sine = (x: tg.Tensor) => {
      const s = x.sin();
      return [s.detach(), ...tg.autograd.grad(s, [x], { gradOutputs: tg.onesLike(s) })];
    };
    const compiled = tg.compile(sine);
    for (let call = 0; call < 3; call++) expectSameTree(compiled(scalar(v)), sine(scalar(v)), `call ${call}`);

    // A step with a captured parameter and an optimizer (effects: no second run of the recording) replays
    // eager's values too.
    const make = () => {
      const w = scalar(0.5);
      const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
      const step = (x: tg.Tensor, y: tg.Tensor) => {
        opt.zeroGrad();
        const loss = w.mul(x).sub(y).square();
        loss.backward();
        opt.step();
        return loss.detach();
      };
      return { w, step };
    };
    const e = make(),
      c = make();
    const compiledStep = tg.compile(c.step);
    for (let i = 0; i < 6; i++) {
      const [x, y] = [tg.tensor(1 + i / 7, { dtype: 'float64' }), tg.tensor(2 - i / 3, { dtype: 'float64' })];
      expectSame(compiledStep(x, y), e.step(x, y), `loss ${i}`);
      expectSame(c.w, e.w, `w after step ${i}`);
    }
    expect(compiledStep.plan!.summary().jsRuns).toBeGreaterThanOrEqual(1);
  });

  it.runIf(existsSync(builtIndex))('where code generation is disallowed, such a run stays one addon call', () => {
    const script = `import * as tg from ${JSON.stringify(pathToFileURL(builtIndex).href)};
const f = tg.compile((x) => x.sin().mul(2));
const x = tg.tensor(1.5, { dtype: 'float64' });
const values = [f(x).item(), f(x).item()];
console.log(JSON.stringify({ values, ...f.plan.summary() }));`;
    const out = execFileSync(
      process.execPath,
      ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    const got = JSON.parse(out.trim().split('\n').pop()!);
    expect(got.values[1]).toBe(got.values[0]);
    expect(got.values[0]).toBeCloseTo(2 * Math.sin(1.5), 14);
    expect(got).toMatchObject({ jsRuns: 0, nativeSegments: 1, nativeCalls: 1 });
  });

  it('toDot(): a digraph of the instructions, naming gemm and the arena', () => {
    const { x, y } = batches(1, 32, 784, 10, 42)[0];
    const { step } = mlpSetup(3);
    const compiled = tg.compile(step);
    compiled(x, y);
    const dot = compiled.plan!.toDot();
    expect(dot.startsWith('digraph plan {')).toBe(true);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    expect(dot).toContain('gemm');
    expect(dot).toContain('->');
    expect(dot).toContain(`arena ${compiled.plan!.summary().arenaBytes} bytes`);
    expect(dot).toContain('SGD.step (effect)');
  });

  it('constants made inside the step (returned, or set as a gradient) keep their values on replay', () => {
    // Made in JS, written by no kernel: their slots live at the end only, sharing bytes with
    // intermediates that died before, so a replay must restore them.
    const f = tg.compile((x: tg.Tensor) => {
      const ones = tg.ones([8192]);
      const y = x.mul(2).exp().add(1); // intermediates as large as the constants
      return [y, ones, tg.zerosLike(x), tg.tensor([1, 2, 3])];
    });
    const x = tg.arange(8192).div(8192);
    const want = [x.mul(2).exp().add(1), tg.ones([8192]), tg.zerosLike(x), tg.tensor([1, 2, 3])];
    for (let i = 0; i < 3; i++) expectSameTree(f(x), want, `call ${i}`);

    // A gradient set in the step to zeros that backward does not touch (w2 is unused): the optimizer
    // reads it (weight decay moves w2 anyway), and so does the caller after the step.
    const make = () => {
      tg.manualSeed(43);
      const w1 = tg.randn([64, 64]).requiresGrad_(true),
        w2 = tg.randn([64, 64]).requiresGrad_(true);
      const opt = new optim.SGD([w1, w2], { lr: 0.1, weightDecay: 0.5, momentum: 0.5 });
      const step = (x: tg.Tensor) => {
        opt.zeroGrad();
        w2.grad = tg.zerosLike(w2);
        const loss = tg.matmul(x, w1).tanh().square().mean();
        loss.backward();
        opt.step();
        return loss.detach();
      };
      return { w1, w2, step };
    };
    const e = make(),
      c = make();
    const compiled = tg.compile(c.step);
    tg.manualSeed(44);
    const xs = [tg.randn([128, 64]), tg.randn([128, 64])];
    for (let i = 0; i < 6; i++) {
      expectSame(compiled(xs[i % 2]), e.step(xs[i % 2]), `loss ${i}`);
      expectSame(c.w2.grad!, e.w2.grad!, `w2.grad after step ${i}`);
      expectSame(c.w2, e.w2, `w2 after step ${i}`);
      expectSame(c.w1, e.w1, `w1 after step ${i}`);
    }
  });

  it('a replayed step allocates nothing from the pool (50 steps)', () => {
    const data = batches(2, 64, 784, 10, 45);
    const { step } = mlpSetup(4);
    const compiled = tg.compile(step);
    for (let i = 0; i < 3; i++) compiled(data[i % 2].x, data[i % 2].y); // records (twice at most), then replays
    const before = tg.memory();
    const outs: unknown[] = [];
    for (let i = 0; i < 50; i++) outs.push(compiled(data[i % 2].x, data[i % 2].y));
    const after = tg.memory();
    // The outputs ([] loss and [64, 10] logits, < 16 KiB) are plain copies: nothing from the pool either.
    expect(after.fresh - before.fresh).toBe(0);
    expect(after.fromPool - before.fromPool).toBe(0);
    expect(outs).toHaveLength(50);
    // Outputs of 16 KiB and more are copied out as plain typed arrays too (not from the pool).
    const big = tg.compile((x: tg.Tensor) => tg.noGrad(() => x.mul(2).add(1)));
    const x = tg.ones([128, 128]); // 64 KiB
    big(x);
    const b0 = tg.memory();
    for (let i = 0; i < 10; i++) expect(big(x).size).toBe(128 * 128);
    const b1 = tg.memory();
    expect([b1.fresh - b0.fresh, b1.fromPool - b0.fromPool]).toEqual([0, 0]);
  });
});

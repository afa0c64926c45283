// tg.compile replays training steps bit for bit like eager: every test runs the same step eagerly and
// compiled, from identical initial states (same manualSeed), and compares every returned value and every
// final parameter with ===, byte for byte. The models are sized so that eager, too, runs the addon's
// kernels (products of 4,096 multiply-adds or more, crossEntropy over 256 logits or more, ...): below
// those cut-offs a plan still runs the addon's kernels where eager runs JS loops, which round
// differently in the last bits (one test shows it; ops.test.ts lists the kernels).
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { batches, counted, expectSame, expectSameParameters, expectSameTree, mlp } from './util.js';

const { nn, optim } = tg;
const F = nn.functional;

interface Setup {
  model: tg.nn.Module;
  opt: tg.optim.Optimizer;
  sched?: tg.optim.LRScheduler;
}

/** The demo's step (demo/main.mjs): forward, crossEntropy, zeroGrad, backward, step; returns the loss. */
function demoStep(s: Setup) {
  return (x: tg.Tensor, y: tg.Tensor): tg.Tensor => {
    const loss = F.crossEntropy(s.model.call(x) as tg.Tensor, y);
    s.opt.zeroGrad();
    loss.backward();
    s.opt.step();
    return loss.detach();
  };
}

/**
 * Runs `steps` steps eagerly on one setup and compiled on another made the same way, cycling through
 * data; between(setup, i) runs after step i on both (outside the step). Every result must be identical.
 */
function eagerVsCompiled(
  make: () => Setup,
  step: (s: Setup) => (x: tg.Tensor, y: tg.Tensor) => unknown,
  data: { x: tg.Tensor; y: tg.Tensor }[],
  steps: number,
  opts: { seed?: number; between?: (s: Setup, i: number) => void } = {},
): { eager: Setup; compiled: Setup; body: { calls: number }; results: [unknown, unknown][] } {
  const eager = make();
  const compiled = make();
  const eagerStep = step(eager);
  const body = counted(step(compiled));
  const compiledStep = tg.compile(body);
  const eagerResults: unknown[] = [];
  if (opts.seed !== undefined) tg.manualSeed(opts.seed);
  for (let i = 0; i < steps; i++) {
    const { x, y } = data[i % data.length];
    eagerResults.push(eagerStep(x, y));
    opts.between?.(eager, i);
  }
  // The compiled run starts from the same generator state as the eager one (dropout draws from it).
  if (opts.seed !== undefined) tg.manualSeed(opts.seed);
  const results: [unknown, unknown][] = [];
  for (let i = 0; i < steps; i++) {
    const { x, y } = data[i % data.length];
    const got = compiledStep(x, y);
    expectSameTree(got, eagerResults[i], `step ${i}`);
    results.push([got, eagerResults[i]]);
    opts.between?.(compiled, i);
  }
  expectSameParameters(compiled.model, eager.model);
  return { eager, compiled, body, results };
}

/** Every state tensor of a's optimizer equals b's, and so do the step counts. */
function expectSameOptimizerState(a: tg.optim.Optimizer, b: tg.optim.Optimizer): void {
  const sa = a.stateDict(),
    sb = b.stateDict();
  expect(Object.keys(sa.state)).toEqual(Object.keys(sb.state));
  for (const [k, st] of Object.entries(sa.state))
    for (const [field, v] of Object.entries(st)) {
      const w = sb.state[Number(k)][field];
      if (v instanceof tg.Tensor) expectSame(v, w as tg.Tensor, `state ${k}.${field}`);
      else expect(v, `state ${k}.${field}`).toBe(w);
    }
  expect(sa.paramGroups).toEqual(sb.paramGroups);
}

describe('tg.compile replays training steps bit for bit', () => {
  it("the demo's model: MLP 784-256-128-10, Adam, cosine lr, crossEntropy, 100 steps", () => {
    const data = batches(5, 32, 784, 10, 11);
    const make = (): Setup => {
      const model = mlp([784, 256, 128, 10], 0);
      const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
      return { model, opt, sched: new optim.CosineAnnealingLR(opt, { tMax: 10 }) };
    };
    // The demo steps the schedule once per epoch, outside the step: replay reads the lr of its time.
    const { eager, compiled, body } = eagerVsCompiled(make, demoStep, data, 100, {
      between: (s, i) => {
        if (i % 10 === 9) s.sched!.step();
      },
    });
    expectSameOptimizerState(compiled.opt, eager.opt);
    expect(compiled.opt.paramGroups[0].lr).toBe(eager.opt.paramGroups[0].lr);
    // Recorded at most twice: the first call starts without gradients, later ones with those it left.
    expect(body.calls).toBeLessThanOrEqual(2);
  });

  const optimizers: [string, (ps: tg.Tensor[]) => tg.optim.Optimizer][] = [
    ['Adam', (ps) => new optim.Adam(ps, { lr: 1e-2 })],
    ['Adam (amsgrad, weightDecay)', (ps) => new optim.Adam(ps, { lr: 1e-2, amsgrad: true, weightDecay: 1e-2 })],
    ['AdamW', (ps) => new optim.AdamW(ps, { lr: 1e-2, weightDecay: 0.1 })],
    ['SGD with momentum', (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9 })],
    ['SGD with Nesterov momentum', (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true })],
    [
      'SGD with weightDecay and dampening',
      (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.5, dampening: 0.1, weightDecay: 1e-2 }),
    ],
    ['SGD, plain', (ps) => new optim.SGD(ps, { lr: 0.05 })],
  ];
  for (const [name, makeOpt] of optimizers)
    it(`${name}: 20 steps`, () => {
      const data = batches(3, 32, 64, 10, 5);
      const make = (): Setup => {
        const model = mlp([64, 96, 10], 1);
        return { model, opt: makeOpt(model.parameters()) };
      };
      const { eager, compiled, body } = eagerVsCompiled(make, demoStep, data, 20);
      expectSameOptimizerState(compiled.opt, eager.opt);
      expect(body.calls).toBeLessThanOrEqual(2);
    });

  it('an lr scheduler stepped inside the compiled function moves on at every replay', () => {
    const data = batches(3, 32, 64, 10, 6);
    const make = (): Setup => {
      const model = mlp([64, 96, 10], 2);
      const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      return { model, opt, sched: new optim.StepLR(opt, { stepSize: 3, gamma: 0.5 }) };
    };
    const lrs: [number, number][] = [];
    const step = (s: Setup) => (x: tg.Tensor, y: tg.Tensor) => {
      const out = demoStep(s)(x, y);
      s.sched!.step();
      return out;
    };
    const { eager, compiled } = eagerVsCompiled(make, step, data, 12, {
      between: (s) => {
        lrs.push([s.opt.paramGroups[0].lr, s.sched!.lastEpoch]);
      },
    });
    // The eager lrs were pushed first (steps 0..11), the compiled ones after.
    expect(lrs.slice(12)).toEqual(lrs.slice(0, 12));
    expect(lrs[11]).toEqual([0.1 * 0.5 ** 4, 12]);
    expect(compiled.sched!.getLastLr()).toEqual(eager.sched!.getLastLr());
  });

  it('zeroGrad(false) zeroes the gradients in place: same steps and gradients as eager', () => {
    const data = batches(3, 32, 64, 10, 7);
    const make = (): Setup => {
      const model = mlp([64, 96, 10], 3);
      return { model, opt: new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }) };
    };
    const step = (s: Setup) => (x: tg.Tensor, y: tg.Tensor) => {
      const loss = F.crossEntropy(s.model.call(x) as tg.Tensor, y);
      s.opt.zeroGrad(false);
      loss.backward();
      s.opt.step();
      return loss.detach();
    };
    const { eager, compiled, body } = eagerVsCompiled(make, step, data, 10);
    const ge = eager.model.parameters(),
      gc = compiled.model.parameters();
    ge.forEach((p, i) => {
      expectSame(gc[i].grad!, p.grad!, `gradient ${i}`);
    });
    expect(body.calls).toBeLessThanOrEqual(2);
  });

  it('zeroGrad() (setToNone) leaves gradients equal to eager after the last step', () => {
    const data = batches(2, 32, 64, 10, 8);
    const make = (): Setup => {
      const model = mlp([64, 96, 10], 4);
      return { model, opt: new optim.Adam(model.parameters(), { lr: 1e-2 }) };
    };
    const { eager, compiled } = eagerVsCompiled(make, demoStep, data, 6);
    const ge = eager.model.parameters(),
      gc = compiled.model.parameters();
    ge.forEach((p, i) => {
      expectSame(gc[i].grad!, p.grad!, `gradient ${i}`);
    });
  });

  it('without zeroGrad gradients accumulate: the 2nd call records a second plan, the 3rd replays it', () => {
    const data = batches(3, 32, 64, 10, 9);
    const make = (): Setup => {
      const model = mlp([64, 96, 10], 5);
      return { model, opt: new optim.SGD(model.parameters(), { lr: 0.01 }) };
    };
    const step = (s: Setup) => (x: tg.Tensor, y: tg.Tensor) => {
      const loss = F.crossEntropy(s.model.call(x) as tg.Tensor, y);
      loss.backward();
      s.opt.step();
      return loss.detach();
    };
    const eager = make(),
      compiled = make();
    const eagerStep = step(eager);
    const body = counted(step(compiled));
    const compiledStep = tg.compile(body);
    const plans: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      const { x, y } = data[i % data.length];
      const want = eagerStep(x, y);
      expectSame(compiledStep(x, y), want, `loss ${i}`);
      plans.push(compiledStep.plan);
      expect(body.calls, `recordings after call ${i + 1}`).toBe(Math.min(i + 1, 2));
      eager.model.parameters().forEach((p, k) => {
        expectSame(compiled.model.parameters()[k].grad!, p.grad!, `gradient ${k} after call ${i + 1}`);
      });
    }
    expect(plans[1]).not.toBe(plans[0]);
    expect(plans.slice(2).every((p) => p === plans[1])).toBe(true);
    expectSameParameters(compiled.model, eager.model);
  });

  it('dropout draws the same masks as eager from the same seed, and new ones at every replay', () => {
    const data = batches(3, 32, 64, 10, 10);
    const make = (): Setup => {
      const model = mlp([64, 96, 80, 10], 6, { dropout: 0.3 });
      return { model, opt: new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }) };
    };
    const step = (s: Setup) => (x: tg.Tensor, y: tg.Tensor) => {
      const masked = F.dropout(x, 0.5); // returned: shows the mask drawn
      const loss = F.crossEntropy(s.model.call(masked) as tg.Tensor, y);
      s.opt.zeroGrad();
      loss.backward();
      s.opt.step();
      return [loss.detach(), masked];
    };
    const { results } = eagerVsCompiled(make, step, data, 8, { seed: 1234 });
    // Steps 0 and 3 see the same batch: different masks.
    const [m0, m3] = [results[0][0], results[3][0]].map((r) => (r as tg.Tensor[])[1]);
    const zeros = (t: tg.Tensor) => Array.from(t.data).map((v) => v === 0);
    expect(zeros(m0)).not.toEqual(zeros(m3));
    // Both drop about half of the inputs.
    for (const m of [m0, m3]) {
      const dropped = zeros(m).filter(Boolean).length / m.size;
      expect(dropped).toBeGreaterThan(0.4);
      expect(dropped).toBeLessThan(0.6);
    }
  });

  it('a float64 model (SGD with momentum) replays like eager', () => {
    const data = batches(3, 32, 64, 10, 12, 'float64');
    const make = (): Setup => {
      const model = mlp([64, 96, 10], 7, { dtype: 'float64' });
      return { model, opt: new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }) };
    };
    const { compiled } = eagerVsCompiled(make, demoStep, data, 10);
    expect(compiled.model.parameters()[0].dtype).toBe('float64');
  });

  it('a float64 model with tanh and Adam replays like eager', () => {
    // Sizes where eager too runs the addon's kernels (see the next test): tanh and the first bias's
    // gradient over [128, 128], 16,384 elements; no bias in the last layer, whose gradient would be a
    // float64 sum over [128, 10], below the cut-off.
    const data = batches(3, 128, 64, 10, 13, 'float64');
    const make = (): Setup => {
      tg.manualSeed(8);
      const model = new nn.Sequential(
        new nn.Linear(64, 128, { dtype: 'float64' }),
        new nn.Tanh(),
        new nn.Linear(128, 10, { dtype: 'float64', bias: false }),
      );
      return { model, opt: new optim.Adam(model.parameters(), { lr: 1e-2 }) };
    };
    eagerVsCompiled(make, demoStep, data, 10);
  });

  it('below the native cut-offs a replay repeats the recording bit for bit, and eager to rounding', () => {
    // While recording, every float kernel goes to the addon (a plan has no per-call cost to avoid);
    // eager runs JS loops below the cut-offs of lib/kernels/routing.ts (GEMMs under 4,096 multiply-adds,
    // crossEntropy under 256 logits, float64 tanh under 16,384 elements, ...). The two round differently
    // in the last bits (ops.test.ts lists the kernels), so a model this small drifts from eager by a few
    // ulps per step; two compiled copies agree exactly.
    const data = batches(3, 16, 20, 4, 16, 'float64');
    const make = (): Setup => {
      tg.manualSeed(8);
      const model = new nn.Sequential(
        new nn.Linear(20, 12, { dtype: 'float64' }),
        new nn.Tanh(),
        new nn.Linear(12, 4, { dtype: 'float64' }),
      );
      return { model, opt: new optim.Adam(model.parameters(), { lr: 1e-2 }) };
    };
    const eager = make(),
      a = make(),
      b = make();
    const eagerStep = demoStep(eager),
      stepA = tg.compile(demoStep(a)),
      stepB = tg.compile(demoStep(b));
    let maxRelative = 0;
    for (let i = 0; i < 10; i++) {
      const { x, y } = data[i % 3];
      const la = stepA(x, y),
        lb = stepB(x, y),
        le = eagerStep(x, y);
      expectSame(la, lb, `step ${i}: two compiled copies`);
      maxRelative = Math.max(maxRelative, Math.abs(la.data[0] - le.data[0]) / Math.abs(le.data[0]));
    }
    expectSameParameters(a.model, b.model);
    expect(maxRelative).toBeLessThan(1e-13);
  });

  it('inference under tg.noGrad returns the logits eager gives (fresh tensors every call)', () => {
    const model = mlp([64, 96, 10], 9);
    const body = counted((x: tg.Tensor) => model.call(x) as tg.Tensor);
    const infer = tg.compile(body);
    const data = batches(3, 32, 64, 10, 14);
    const outs: tg.Tensor[] = [];
    for (let i = 0; i < 6; i++) {
      const { x } = data[i % 3];
      const got = tg.noGrad(() => infer(x));
      expect(got.requiresGrad).toBe(false);
      expectSame(
        got,
        tg.noGrad(() => model.call(x) as tg.Tensor),
        `logits ${i}`,
      );
      outs.push(got);
    }
    expect(body.calls).toBe(1);
    // Outputs are copies: a later call does not overwrite an earlier result.
    expectSame(
      outs[0],
      tg.noGrad(() => model.call(data[0].x) as tg.Tensor),
      'the first result after 6 calls',
    );
    expect(outs[0].data.buffer).not.toBe(outs[3].data.buffer);
    // Under tg.inferenceMode the signature differs (a plan of its own), with the same values.
    expectSame(
      tg.inferenceMode(() => infer(data[1].x)),
      tg.noGrad(() => model.call(data[1].x) as tg.Tensor),
      'under inferenceMode',
    );
    expect(body.calls).toBe(2);
  });

  it('two outputs, as an array and as an object (with non-tensor values passed through)', () => {
    const data = batches(3, 32, 64, 10, 15);
    const make = (): Setup => {
      const model = mlp([64, 96, 10], 10);
      return { model, opt: new optim.Adam(model.parameters(), { lr: 1e-2 }) };
    };
    const asArray = (s: Setup) => (x: tg.Tensor, y: tg.Tensor) => {
      const logits = s.model.call(x) as tg.Tensor;
      const loss = F.crossEntropy(logits, y);
      s.opt.zeroGrad();
      loss.backward();
      s.opt.step();
      return [loss.detach(), logits.detach()];
    };
    eagerVsCompiled(make, asArray, data, 6);
    const asObject = (s: Setup) => (x: tg.Tensor, y: tg.Tensor) => {
      const [loss, logits] = asArray(s)(x, y);
      return { loss, logits, probs: tg.noGrad(() => tg.softmax(logits, 1)), label: 'step', n: 3, none: null };
    };
    const { results } = eagerVsCompiled(make, asObject, data, 6);
    const last = results[5][0] as Record<string, unknown>;
    expect([last.label, last.n, last.none]).toEqual(['step', 3, null]);
  });

  it('numbers, booleans, strings, null and arrays of tensors are part of the signature', () => {
    type Args = [xs: tg.Tensor[], scale: number, useRelu: boolean, mode: string, extra: tg.Tensor | null];
    const stepFor =
      (w: tg.Tensor) =>
      (...[xs, scale, useRelu, mode, extra]: Args): [tg.Tensor, tg.Tensor] => {
        w.grad = null;
        let h = tg.matmul(tg.add(xs[0], xs[1]).mul(scale), w);
        h = useRelu ? tg.relu(h) : tg.tanh(h);
        if (extra !== null) h = h.add(extra);
        const out = mode === 'sum' ? h.sum() : h.mean();
        out.backward();
        return [out.detach(), w.grad!];
      };
    tg.manualSeed(20);
    const w = tg.randn([32, 24]);
    const fn = stepFor(w.clone().requiresGrad_(true));
    // A gradient from the start: the plans' guards then see the same gradient state on every call.
    const wc = w.clone().requiresGrad_(true);
    wc.grad = tg.zerosLike(w);
    const body = counted(stepFor(wc));
    const step = tg.compile(body);
    tg.manualSeed(21);
    const a = tg.randn([16, 32]),
      b = tg.randn([16, 32]),
      e = tg.randn([16, 24]);
    const calls: Args[] = [
      [[a, b], 0.5, true, 'sum', null],
      [[a, b], 0.5, true, 'sum', null], // replay
      [[a, b], 2, true, 'sum', null], // another scale
      [[a, b], 0.5, false, 'sum', null], // another boolean
      [[a, b], 0.5, true, 'mean', null], // another string
      [[a, b], 0.5, true, 'sum', e], // a tensor where null was
      [[b, a], 2, true, 'sum', null], // replay of the third, with the tensors swapped
      [[a, b], 0.5, false, 'sum', null], // replay
    ];
    const recordedAfter: number[] = [];
    for (const args of calls) {
      const got = step(...args);
      expectSameTree(got, fn(...args));
      recordedAfter.push(body.calls);
    }
    expect(recordedAfter).toEqual([1, 1, 2, 3, 4, 5, 5, 5]);
  });
});

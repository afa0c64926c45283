// Optimizers: a few steps of SGD/Adam/AdamW against reference loops written from torch.optim's
// documented update rules (small parameters run the JS kernels, large ones the native kernels, both
// in float32 and float64), param groups, zeroGrad, version bumps, stateDict round trips, schedulers,
// and errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { OPTIM_NATIVE_MIN_ELEMENTS } from '../../lib/kernels/routing.js';
import { expectClose, flat } from '../helpers.js';

type Dt = 'float32' | 'float64';

/** A parameter of n seeded values and a function giving the seeded gradient for step s. */
function setup(n: number, dtype: Dt, seed = 1) {
  tg.manualSeed(seed);
  const p = tg.randn([n], { dtype }).requiresGrad_(true);
  const grads = Array.from({ length: 5 }, () => flat(tg.randn([n], { dtype })));
  return { p, grads };
}

interface SgdRef {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
  maximize?: boolean;
}

/** torch.optim.SGD's documented algorithm, in float64. */
function sgdRef(p0: number[], grads: number[][], o: SgdRef): number[] {
  const p = p0.slice();
  const mu = o.momentum ?? 0,
    tau = o.dampening ?? 0,
    wd = o.weightDecay ?? 0;
  let buf: number[] | null = null;
  for (const g of grads) {
    const d = g.map((gi, i) => (o.maximize ? -gi : gi) + wd * p[i]);
    let step = d;
    if (mu !== 0) {
      buf = buf === null ? d.slice() : buf.map((b, i) => mu * b + (1 - tau) * d[i]);
      step = o.nesterov ? d.map((di, i) => di + mu * buf![i]) : buf;
    }
    for (let i = 0; i < p.length; i++) p[i] -= o.lr * step[i];
  }
  return p;
}

interface AdamRef {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

/** torch.optim.Adam / AdamW's documented algorithm, in float64. */
function adamRef(p0: number[], grads: number[][], o: AdamRef, decoupled: boolean): number[] {
  const p = p0.slice();
  const lr = o.lr ?? 1e-3,
    [b1, b2] = o.betas ?? [0.9, 0.999],
    eps = o.eps ?? 1e-8,
    wd = o.weightDecay ?? (decoupled ? 1e-2 : 0);
  const m = p.map(() => 0),
    v = p.map(() => 0),
    vmax = p.map(() => 0);
  grads.forEach((g, s) => {
    const t = s + 1;
    for (let i = 0; i < p.length; i++) {
      let gi = o.maximize ? -g[i] : g[i];
      if (decoupled) p[i] *= 1 - lr * wd;
      else gi += wd * p[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      const mhat = m[i] / (1 - b1 ** t);
      let vh = v[i];
      if (o.amsgrad) vh = vmax[i] = Math.max(vmax[i], v[i]);
      const vhat = vh / (1 - b2 ** t);
      p[i] -= (lr * mhat) / (Math.sqrt(vhat) + eps);
    }
  });
  return p;
}

function runSteps(opt: tg.optim.Optimizer, p: tg.Tensor, grads: number[][]): void {
  for (const g of grads) {
    p.grad = tg.tensor(g, { dtype: p.dtype });
    opt.step();
  }
}

const sizes: [string, number][] = [
  ['JS path', 7],
  ['native path', OPTIM_NATIVE_MIN_ELEMENTS + 37],
];
const dtypes: Dt[] = ['float64', 'float32'];
const tol = (d: Dt) => (d === 'float64' ? 1e-12 : 2e-5);

describe('SGD', () => {
  const variants: SgdRef[] = [
    { lr: 0.1 },
    { lr: 0.1, momentum: 0.9 },
    { lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.01 },
    { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.1 },
    { lr: 0.1, momentum: 0.5, maximize: true },
  ];
  for (const [where, n] of sizes)
    for (const dtype of dtypes)
      it.each(variants)(`${where} ${dtype}: %j`, (o) => {
        const { p, grads } = setup(n, dtype);
        const want = sgdRef(flat(p), grads, o);
        runSteps(new tg.optim.SGD([p], o), p, grads);
        expectClose(p, want, tol(dtype), tol(dtype));
      });
});

describe('Adam / AdamW', () => {
  const variants: AdamRef[] = [
    {},
    { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6 },
    { lr: 0.01, weightDecay: 0.1 },
    { lr: 0.01, amsgrad: true },
    { lr: 0.01, maximize: true, weightDecay: 0.05 },
  ];
  for (const [where, n] of sizes)
    for (const dtype of dtypes) {
      it.each(variants)(`Adam ${where} ${dtype}: %j`, (o) => {
        const { p, grads } = setup(n, dtype, 2);
        const want = adamRef(flat(p), grads, o, false);
        runSteps(new tg.optim.Adam([p], o), p, grads);
        expectClose(p, want, tol(dtype), tol(dtype));
      });
      it.each(variants)(`AdamW ${where} ${dtype}: %j`, (o) => {
        const { p, grads } = setup(n, dtype, 3);
        const want = adamRef(flat(p), grads, o, true);
        runSteps(new tg.optim.AdamW([p], o), p, grads);
        expectClose(p, want, tol(dtype), tol(dtype));
      });
    }

  it('AdamW defaults to weight decay 1e-2, Adam to 0', () => {
    const a = new tg.optim.Adam([tg.zeros([1]).requiresGrad_(true)]);
    const w = new tg.optim.AdamW([tg.zeros([1]).requiresGrad_(true)]);
    expect(a.paramGroups[0].weightDecay).toBe(0);
    expect(w.paramGroups[0].weightDecay).toBe(1e-2);
    expect(a.paramGroups[0].betas).toEqual([0.9, 0.999]);
    expect(a.paramGroups[0].lr).toBe(1e-3);
  });
});

describe('Optimizer behaviour', () => {
  it('param groups override the defaults; parameters without grad are skipped', () => {
    const a = tg.ones([2]).requiresGrad_(true),
      b = tg.ones([2]).requiresGrad_(true),
      c = tg.ones([2]).requiresGrad_(true);
    const opt = new tg.optim.SGD([{ params: [a] }, { params: [b, c], lr: 0.5 }], { lr: 0.1 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.5]);
    a.grad = tg.ones([2]);
    b.grad = tg.ones([2]);
    opt.step();
    expectClose(a, [0.9, 0.9], 0, 1e-7); // float32
    expectClose(b, [0.5, 0.5]);
    expectClose(c, [1, 1]);
  });

  it('updates in place, bumps the version counter, and so invalidates graphs that saved the parameter', () => {
    const p = tg.ones([3]).requiresGrad_(true);
    const opt = new tg.optim.SGD([p], { lr: 0.1 });
    const data = p.data;
    const y = p.mul(p).sum();
    y.backward(undefined, { retainGraph: true });
    const v = p.version;
    opt.step();
    expect(p.data).toBe(data);
    expect(p.version).toBe(v + 1);
    expect(() => y.backward()).toThrow(/modified by an in-place operation/);
  });

  it('zeroGrad sets grads to null (or zeroes them in place with setToNone = false); step runs a closure', () => {
    const p = tg.ones([2]).requiresGrad_(true);
    const opt = new tg.optim.Adam([p], { lr: 0.1 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = p.mul(p).sum();
      l.backward();
      return l;
    });
    expect((loss as tg.Tensor).item()).toBe(2);
    const g = p.grad!;
    opt.zeroGrad(false);
    expect(p.grad).toBe(g);
    expect(flat(g)).toEqual([0, 0]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it('stateDict/loadStateDict round trip continues exactly where it left off', () => {
    const { p, grads } = setup(5, 'float64', 7);
    const q = p.detach().clone().requiresGrad_(true);
    const a = new tg.optim.Adam([p], { lr: 0.05, amsgrad: true });
    runSteps(a, p, grads.slice(0, 3));
    const sd = a.stateDict();
    expect(sd.paramGroups[0].params).toEqual([0]);
    expect(sd.state[0].step).toBe(3);
    // A fresh optimizer on a copy of the parameter, loaded with the state, then both take two more steps.
    const b = new tg.optim.Adam([q], { lr: 0.9 });
    q.data.set(p.data);
    b.loadStateDict(sd);
    expect(b.paramGroups[0].lr).toBe(0.05);
    expect(b.paramGroups[0].amsgrad).toBe(true);
    runSteps(a, p, grads.slice(3));
    runSteps(b, q, grads.slice(3));
    expect(flat(q)).toEqual(flat(p));
    // The saved state is a copy: later steps do not change it.
    expect(sd.state[0].step as number).toBe(3);
  });

  it('loadStateDict rejects mismatched groups and state shapes', () => {
    const p = tg.ones([2]).requiresGrad_(true);
    const opt = new tg.optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = tg.ones([2]);
    opt.step();
    const sd = opt.stateDict();
    const other = new tg.optim.SGD([tg.ones([3]).requiresGrad_(true)], { lr: 0.1, momentum: 0.9 });
    expect(() => other.loadStateDict(sd)).toThrow(
      "SGD.loadStateDict: state 'momentumBuffer' of parameter 0 has shape [2], the parameter has [3]",
    );
    const two = new tg.optim.SGD(
      [{ params: [tg.ones([2]).requiresGrad_(true)] }, { params: [tg.ones([2]).requiresGrad_(true)] }],
      { lr: 0.1 },
    );
    expect(() => two.loadStateDict(sd)).toThrow(
      'SGD.loadStateDict: the loaded state dict has 1 parameter group(s), the optimizer has 2',
    );
    expect(() => opt.loadStateDict({} as never)).toThrow(
      'SGD.loadStateDict: expected an object { state, paramGroups } from stateDict(), got an object (Object)',
    );
  });

  it('rejects bad constructor arguments like torch', () => {
    const p = tg.ones([2]).requiresGrad_(true);
    expect(() => new tg.optim.SGD([p], { lr: -1 })).toThrow(
      "SGD: option 'lr' must be a finite number in [0, Infinity), got -1",
    );
    expect(() => new tg.optim.SGD([p], {} as never)).toThrow("SGD: option 'lr' is required");
    expect(() => new tg.optim.SGD([p], { lr: 0.1, nesterov: true })).toThrow(
      'SGD: Nesterov momentum requires a momentum and zero dampening',
    );
    expect(() => new tg.optim.Adam([p], { betas: [1, 0.9] })).toThrow(
      "Adam: option 'betas' entry 0 must be a finite number in [0, 1), got 1",
    );
    expect(() => new tg.optim.Adam([p], { eps: -1 })).toThrow(
      "Adam: option 'eps' must be a finite number in [0, Infinity), got -1",
    );
    expect(() => new tg.optim.Adam([])).toThrow('Adam: got an empty parameter list');
    expect(() => new tg.optim.Adam([p, p])).toThrow(
      'Adam: some parameters appear in more than one parameter group (or twice in one)',
    );
    expect(() => new tg.optim.Adam([p.mul(2)])).toThrow(
      "Adam: can't optimize a non-leaf Tensor (parameter 0 was produced by MulBackward)",
    );
    expect(() => new tg.optim.Adam([tg.zeros([1], { dtype: 'int32' })])).toThrow(
      'Adam: parameter 0 must be float32 or float64, got int32',
    );
    expect(() => new tg.optim.Adam(3 as never)).toThrow(
      "Adam: argument 'params' must be an array of Tensors or of parameter groups, got a number",
    );
  });
});

describe('lrScheduler', () => {
  it('StepLR: lr = base·γ^⌊epoch/stepSize⌋', () => {
    const opt = new tg.optim.SGD(
      [{ params: [tg.ones([1]).requiresGrad_(true)] }, { params: [tg.ones([1]).requiresGrad_(true)], lr: 1 }],
      { lr: 0.1 },
    );
    const s = new tg.optim.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const seen: number[][] = [s.getLastLr()];
    for (let e = 0; e < 5; e++) {
      opt.step();
      s.step();
      seen.push(s.getLastLr());
    }
    expect(seen.map((l) => l.map((v) => +v.toPrecision(12)))).toEqual([
      [0.1, 1],
      [0.1, 1],
      [0.05, 0.5],
      [0.05, 0.5],
      [0.025, 0.25],
      [0.025, 0.25],
    ]);
    expect(() => new tg.optim.StepLR(opt, { stepSize: 0 })).toThrow(
      "StepLR: option 'stepSize' must be a positive integer, got 0",
    );
  });

  it('CosineAnnealingLR: ηmin + (base − ηmin)(1 + cos(π·t/tMax))/2', () => {
    const opt = new tg.optim.Adam([tg.ones([1]).requiresGrad_(true)], { lr: 0.1 });
    const s = new tg.optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 4, etaMin: 0.01 });
    const lrs: number[] = [];
    for (let e = 1; e <= 4; e++) {
      s.step();
      lrs.push(opt.paramGroups[0].lr);
    }
    expectClose(
      lrs,
      [1, 2, 3, 4].map((t) => 0.01 + (0.09 * (1 + Math.cos((Math.PI * t) / 4))) / 2),
      1e-15,
      1e-14,
    );
    expect(s.stateDict()).toEqual({ lastEpoch: 4, baseLrs: [0.1], lastLr: [lrs[3]] });
  });

  it('loadStateDict restores getLastLr (given, or recomputed from the closed form)', () => {
    const opt = new tg.optim.SGD([tg.ones([1]).requiresGrad_(true)], { lr: 0.1 });
    const s = new tg.optim.StepLR(opt, { stepSize: 1, gamma: 0.5 });
    s.step();
    s.step();
    const fresh = new tg.optim.StepLR(new tg.optim.SGD([tg.ones([1]).requiresGrad_(true)], { lr: 0.1 }), {
      stepSize: 1,
      gamma: 0.5,
    });
    fresh.loadStateDict(s.stateDict());
    expectClose(fresh.getLastLr(), [0.025], 1e-15, 1e-14);
    const old = new tg.optim.StepLR(new tg.optim.SGD([tg.ones([1]).requiresGrad_(true)], { lr: 0.1 }), {
      stepSize: 1,
      gamma: 0.5,
    });
    old.loadStateDict({ lastEpoch: 2, baseLrs: [0.1] });
    expectClose(old.getLastLr(), [0.025], 1e-15, 1e-14);
  });
});

// Against PyTorch 1.13 (test/fixtures/nn_torch.json, made by test/fixtures/make_nn_fixture.py):
// loss values and input gradients for every reduction / label smoothing / weight / ignore combination,
// layerNorm, gelu and linear forward values, five steps of every optimizer variant, and the
// schedulers' learning rates.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose } from '../helpers.js';

interface Arr {
  shape: number[];
  dtype: 'int32' | 'float64';
  data: number[];
}
interface LossCase {
  name: string;
  opts: Record<string, any>;
  inputs: Arr[];
  out: { shape: number[]; data: number[] };
  w: number[];
  grads: number[][];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/nn_torch.json', import.meta.url), 'utf8')) as {
  losses: LossCase[];
  layers: Record<string, any>[];
  optim: { name: string; opts: Record<string, any>; p0: number[]; grads: number[][]; out: number[] }[];
  sched: { name: string; opts: Record<string, any>; lrs: number[] }[];
};

const F = tg.nn.functional;
const f64 = (data: number[], shape?: number[]) => tg.tensor(data, { dtype: 'float64', shape });

function lossFn(c: LossCase): (...xs: tg.Tensor[]) => tg.Tensor {
  const o = c.opts;
  const reduction = o.reduction;
  const weight = o.weight ? f64(o.weight) : undefined;
  const target = o.target ? tg.tensor(Int32Array.from(o.target), { shape: o.targetShape ?? [o.target.length] }) : null;
  switch (c.name) {
    case 'crossEntropy':
    case 'crossEntropy4d':
      return (z) => F.crossEntropy(z, target!, { reduction, labelSmoothing: o.labelSmoothing, weight });
    case 'crossEntropyProb':
      return (z, p) => F.crossEntropy(z, p, { reduction, labelSmoothing: o.labelSmoothing, weight });
    case 'nllLoss':
      return (x) => F.nllLoss(x, target!, { reduction, weight });
    case 'bceWithLogits':
      return (x, t) => F.binaryCrossEntropyWithLogits(x, t, { reduction, posWeight: f64(o.posWeight) });
    case 'mseLoss':
      return (a, b) => F.mseLoss(a, b, { reduction });
    case 'l1Loss':
      return (a, b) => F.l1Loss(a, b, { reduction });
  }
  throw new Error(`unknown case ${c.name}`);
}

describe('losses vs PyTorch', () => {
  it.each(
    fixture.losses.map(
      (c) =>
        [
          `${c.name} ${JSON.stringify({ ...c.opts, target: undefined, weight: c.opts.weight ? 'w' : undefined })}`,
          c,
        ] as const,
    ),
  )('%s', (_label, c) => {
    const inputs = c.inputs.filter((a) => a.dtype === 'float64').map((a) => f64(a.data, a.shape).requiresGrad_(true));
    const y = lossFn(c)(...inputs);
    expect(y.shape).toEqual(c.out.shape);
    expectClose(y, c.out.data, 1e-13, 1e-12);
    y.mul(f64(c.w, c.out.shape)).sum().backward();
    c.grads.forEach((g, i) => {
      expectClose(inputs[i].grad!, g, 1e-13, 1e-11);
    });
  });
});

describe('layers vs PyTorch', () => {
  it.each(fixture.layers.map((c) => [c.name + (c.approximate ? ` (${c.approximate})` : ''), c] as const))(
    '%s',
    (_label, c) => {
      const x = f64(c.x, c.shape);
      if (c.name === 'layerNorm') expectClose(F.layerNorm(x, [6], f64(c.weight), f64(c.bias)), c.out, 1e-13, 1e-12);
      else if (c.name === 'gelu') expectClose(F.gelu(x, c.approximate), c.out, 1e-15, 1e-13);
      else expectClose(F.linear(x, f64(c.weight, [5, 6]), f64(c.bias)), c.out, 1e-14, 1e-13);
    },
  );
});

const camel = (o: Record<string, any>) =>
  Object.fromEntries(
    Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase()), v]),
  );

describe('optimizers vs PyTorch (5 steps, float64)', () => {
  it.each(fixture.optim.map((c) => [`${c.name} ${JSON.stringify(c.opts)}`, c] as const))('%s', (_label, c) => {
    const p = f64(c.p0).requiresGrad_(true);
    const opts = camel(c.opts);
    const opt =
      c.name === 'SGD'
        ? new tg.optim.SGD([p], opts as never)
        : c.name === 'Adam'
          ? new tg.optim.Adam([p], opts)
          : new tg.optim.AdamW([p], opts);
    for (const g of c.grads) {
      p.grad = f64(g);
      opt.step();
    }
    expectClose(p, c.out, 1e-14, 1e-12);
  });
});

describe('schedulers vs PyTorch', () => {
  it.each(fixture.sched.map((c) => [c.name, c] as const))('%s', (_label, c) => {
    const opt = new tg.optim.SGD([tg.zeros([1]).requiresGrad_(true)], { lr: 0.1 });
    const s =
      c.name === 'StepLR'
        ? new tg.optim.StepLR(opt, c.opts as never)
        : new tg.optim.CosineAnnealingLR(opt, c.opts as never);
    const lrs = [opt.paramGroups[0].lr];
    for (let e = 0; e < 8; e++) {
      opt.step();
      s.step();
      lrs.push(opt.paramGroups[0].lr);
    }
    expectClose(lrs, c.lrs, 1e-15, 1e-13);
  });
});

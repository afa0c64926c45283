// The reductions, elementwise ops and softmax against PyTorch 1.13 (fixture written by
// test/fixtures/make_ops_fixture.py): forward values, the gradient of sum(y·w) for every input, and
// where recorded the Hessian-vector product d/dx ⟨∂/∂x sum(y·w), v⟩ (createGraph).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose } from '../helpers.js';

interface Case {
  name: string;
  op: string;
  args: Record<string, any>;
  inputs: { shape: number[]; data: number[] }[];
  w: number[];
  y: number[];
  yshape: number[];
  grads: number[][];
  v?: number[];
  hv?: number[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/ops_torch.json', import.meta.url), 'utf8')) as {
  torch: string;
  cases: Case[];
};

const num = (p: unknown) => (p === 'inf' ? Infinity : (p as number));
const ops: Record<string, (a: Record<string, any>, x: tg.Tensor, y?: tg.Tensor) => tg.Tensor> = {
  prod: (a, x) => tg.prod(x, a.dim, a.keepdim),
  minDim: (a, x) => tg.min(x, a.dim).values,
  minAll: (_, x) => tg.min(x),
  var: (a, x) => tg.var(x, a.dim, { correction: a.correction ?? 1, keepdim: a.keepdim ?? false }),
  std: (a, x) => tg.std(x, a.dim, { correction: a.correction ?? 1, keepdim: a.keepdim ?? false }),
  logSumExp: (a, x) => tg.logSumExp(x, a.dim, a.keepdim),
  norm: (a, x) => tg.norm(x, num(a.p), a.dim),
  clamp: (a, x) => tg.clamp(x, a.min, a.max),
  maximum: (_, x, y) => tg.maximum(x, y!),
  minimum: (_, x, y) => tg.minimum(x, y!),
  square: (_, x) => tg.square(x),
  rsqrt: (_, x) => tg.rsqrt(x),
  log1p: (_, x) => tg.log1p(x),
  expm1: (_, x) => tg.expm1(x),
  softplus: (a, x) => tg.softplus(x, a.beta ?? 1, a.threshold ?? 20),
  leakyRelu: (a, x) => tg.leakyRelu(x, a.negativeSlope ?? 0.01),
  elu: (a, x) => tg.elu(x, a.alpha ?? 1),
  gelu: (a, x) => tg.gelu(x, a.approximate ?? 'none'),
  silu: (_, x) => tg.silu(x),
  softmax: (a, x) => tg.softmax(x, a.dim),
  logSoftmax: (a, x) => tg.logSoftmax(x, a.dim),
};

describe(`ops against PyTorch ${fixture.torch}`, () => {
  it('covers every op of this batch', () => {
    expect(new Set(fixture.cases.map((c) => c.op))).toEqual(new Set(Object.keys(ops)));
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const xs = c.inputs.map((i) =>
        tg.tensor(Float64Array.from(i.data), { shape: i.shape, dtype: 'float64', requiresGrad: true }),
      );
      const f = (...t: tg.Tensor[]) => ops[c.op](c.args, t[0], t[1]);
      const y = f(...xs);
      expect(y.shape).toEqual(c.yshape);
      // ±1e4 inputs: values and gradients carry rounding of ulp(1e4) ≈ 2e-12
      const tol = /1e4|10000/.test(c.name) ? 1e-11 : 1e-13;
      expectClose(y, c.y, tol, 1e-12);
      const w = tg.tensor(Float64Array.from(c.w), { shape: c.yshape, dtype: 'float64' });
      const grads = tg.autograd.grad([y.mul(w).sum()], xs, { createGraph: c.hv !== undefined });
      grads.forEach((g, i) => {
        expectClose(g!, c.grads[i], tol, 1e-11);
      });
      if (c.hv !== undefined) {
        const v = tg.tensor(Float64Array.from(c.v!), { shape: c.inputs[0].shape, dtype: 'float64' });
        // A gradient that is a constant (piecewise-linear ops) does not require grad: its derivative is 0.
        const [hv] = grads[0]!.requiresGrad
          ? tg.autograd.grad([grads[0]!.mul(v).sum()], [xs[0]], { allowUnused: true })
          : [null];
        expectClose(hv ?? tg.zerosLike(xs[0]), c.hv, tol, 1e-10);
      }
    });
  }
});

// gelu (exact via our TS erf, and the tanh approximation), plus erf/erfc themselves against Python's
// math.erf/erfc (fixture made by test/fixtures/make_erf_fixture.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { erf, erfc, normalCdf } from '../../lib/kernels/erf.js';
import { expectClose, leaf } from '../helpers.js';
import { unaryCases } from './unary_cases.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/erf_gelu.json', import.meta.url), 'utf8')) as {
  rows: number[][];
};
const K = Math.sqrt(2 / Math.PI);
const geluTanhRef = (v: number) => 0.5 * v * (1 + Math.tanh(K * (v + 0.044715 * v * v * v)));

describe('erf / erfc (TS, double precision)', () => {
  it('match libm within ~1e-15 absolute (erf) and ~1e-13 relative (erfc, tiny tails included)', () => {
    for (const [x, e, c] of fixture.rows) {
      if (!(Math.abs(erf(x) - e) <= 1.5e-15)) expect.fail(`erf(${x}) = ${erf(x)}, want ${e}`);
      if (!(Math.abs(erfc(x) - c) <= 1e-13 * c + 1e-300)) expect.fail(`erfc(${x}) = ${erfc(x)}, want ${c}`);
    }
  });
  it('special values', () => {
    expect([erf(0), erf(-0), erf(Infinity), erf(-Infinity), erf(NaN)]).toEqual([0, -0, 1, -1, NaN]);
    expect([erfc(Infinity), erfc(-Infinity), erfc(40)]).toEqual([0, 2, 0]);
    expect(normalCdf(0)).toBe(0.5);
  });
});

describe('gelu (exact)', () => {
  unaryCases({ name: 'gelu', op: (x) => tg.gelu(x), method: (x) => x.gelu(), ref: (v) => v * normalCdf(v), scale: 3 });
  it('matches x·Φ(x) from libm erfc', () => {
    const xs = fixture.rows.map((r) => r[0]);
    const y = tg.gelu(tg.tensor(xs, { dtype: 'float64' }));
    expectClose(
      y,
      fixture.rows.map((r) => r[3]),
      1e-15,
      1e-13,
    );
  });
  it('gradient Φ(x) + x·φ(x) at known points; double backward through GeluBackward', () => {
    const x = tg.tensor([0, 1, -2], { dtype: 'float64', requiresGrad: true });
    const [g] = tg.autograd.grad([tg.gelu(x).sum()], [x], { createGraph: true });
    const phi = (v: number) => Math.exp((-v * v) / 2) / Math.sqrt(2 * Math.PI);
    expectClose(g!, [0.5, normalCdf(1) + phi(1), normalCdf(-2) - 2 * phi(-2)], 1e-15, 1e-14);
    expect(g!.gradFn?.name).toBe('GeluBackwardBackward');
    const [h] = tg.autograd.grad([g!.sum()], [x]);
    expectClose(
      h!,
      [0, 1, -2].map((v) => phi(v) * (2 - v * v)),
      1e-15,
      1e-14,
    );
    // third order through the tensor-op backward of GeluBackward
    expect(
      tg.autograd.gradgradcheck(
        (t: tg.Tensor) => tg.autograd.grad([tg.gelu(t).sum()], [t], { createGraph: true })[0]!,
        [leaf([5])],
      ),
    ).toBe(true);
  });
});

describe('gelu (tanh approximation)', () => {
  unaryCases({
    name: 'gelu',
    op: (x) => tg.gelu(x, 'tanh'),
    method: (x) => x.gelu('tanh'),
    ref: geluTanhRef,
    scale: 3,
  });
  it('stays within 1e-3 of the exact gelu', () => {
    const x = leaf([200], { scale: 3 });
    expectClose(tg.gelu(x, 'tanh'), tg.gelu(x), 1e-3, 0);
  });
  it('rejects an unknown approximation', () => {
    expect(() => tg.gelu(tg.zeros([2]), 'erf' as any)).toThrow(
      new TypeError("gelu: argument 'approximate' must be 'none' or 'tanh', got a string (erf)"),
    );
  });
});

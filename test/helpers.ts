// Test helpers: seeded float64 inputs, closeness checks, and gradcheck at PyTorch's defaults.
import { expect } from 'vitest';
import * as tg from '../lib/index.js';

/** A seeded float64 leaf requiring grad, values from randn·scale + shift. */
export function leaf(
  shape: number[],
  opts: { seed?: number; scale?: number; shift?: number; dtype?: tg.DType } = {},
): tg.Tensor {
  tg.manualSeed(opts.seed ?? shape.reduce((a, b) => a * 31 + b, 7));
  const x = tg.randn(shape, { dtype: 'float64' });
  const scaled = x.mul(opts.scale ?? 1).add(opts.shift ?? 0);
  const t = opts.dtype && opts.dtype !== 'float64' ? scaled.to(opts.dtype) : scaled;
  return t.detach().requiresGrad_(true);
}

/** Positive values in [lo, hi) (for log, sqrt, pow bases). */
export function positive(shape: number[], lo = 0.5, hi = 2, seed = 3): tg.Tensor {
  tg.manualSeed(seed);
  return tg
    .rand(shape, { dtype: 'float64' })
    .mul(hi - lo)
    .add(lo)
    .detach()
    .requiresGrad_(true);
}

export function flat(x: tg.Tensor | number[] | number): number[] {
  if (x instanceof tg.Tensor) return Array.from(x.data as ArrayLike<number>);
  return Array.isArray(x) ? x : [x];
}

/** Elementwise |got − want| ≤ atol + rtol·|want| (NaN equals NaN). */
export function expectClose(
  got: tg.Tensor | number[] | number,
  want: tg.Tensor | number[] | number,
  atol = 1e-12,
  rtol = 1e-12,
): void {
  const g = flat(got),
    w = flat(want);
  expect(g.length).toBe(w.length);
  for (let i = 0; i < g.length; i++) {
    if (Number.isNaN(w[i])) {
      expect(g[i]).toBeNaN();
      continue;
    }
    if (!(Math.abs(g[i] - w[i]) <= atol + rtol * Math.abs(w[i])))
      expect.fail(`element ${i}: got ${g[i]}, want ${w[i]} (atol ${atol}, rtol ${rtol})`);
  }
}

/** gradcheck must pass (it throws a descriptive error otherwise). */
export function expectGradcheck(fn: (...xs: any[]) => tg.Tensor | tg.Tensor[], inputs: unknown[]): void {
  expect(tg.autograd.gradcheck(fn, inputs)).toBe(true);
}

/** Reference elementwise map over a tensor's values. */
export function mapValues(x: tg.Tensor, f: (v: number) => number): number[] {
  return flat(x).map(f);
}

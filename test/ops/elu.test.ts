import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { unaryCases } from './unary_cases.js';

describe('elu', () => {
  unaryCases({
    name: 'elu',
    op: (x) => tg.elu(x),
    method: (x) => x.elu(),
    ref: (v) => (v > 0 ? v : Math.expm1(v)),
    kinks: [0],
  });
  unaryCases({
    name: 'elu',
    op: (x) => tg.elu(x, 0.5),
    method: (x) => x.elu(0.5),
    ref: (v) => (v > 0 ? v : 0.5 * Math.expm1(v)),
    kinks: [0],
  });
  it('gradient: 1 for x > 0, α·eˣ for x <= 0 (α at 0, as PyTorch); finite for large x', () => {
    const x = tg.tensor([800, 0, -1], { dtype: 'float64', requiresGrad: true });
    tg.elu(x, 2).sum().backward();
    expect(x.grad!.toArray()).toEqual([1, 2, 2 * Math.exp(-1)]);
  });
  it('rejects a bad alpha', () => {
    expect(() => tg.elu(tg.zeros([2]), Infinity)).toThrow(
      new TypeError("elu: argument 'alpha' must be a finite number, got a number (Infinity)"),
    );
  });
});

import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose } from '../helpers.js';
import { unaryCases } from './unary_cases.js';

const ref = (beta: number, threshold: number) => (v: number) =>
  v * beta > threshold ? v : Math.log1p(Math.exp(v * beta)) / beta;

describe('softplus', () => {
  unaryCases({ name: 'softplus', op: (x) => tg.softplus(x), method: (x) => x.softplus(), ref: ref(1, 20), scale: 3 });
  unaryCases({
    name: 'softplus',
    op: (x) => tg.softplus(x, 2, 3),
    method: (x) => x.softplus(2, 3),
    ref: ref(2, 3),
    kinks: [1.5],
  });
  it("follows PyTorch's threshold: x itself where β·x > threshold, gradient 1 there", () => {
    const x = tg.tensor([25, 19, -50, -800], { dtype: 'float64', requiresGrad: true });
    const y = tg.softplus(x);
    expectClose(y, [25, Math.log1p(Math.exp(19)), Math.exp(-50), 0], 1e-300, 1e-15);
    y.sum().backward();
    expectClose(x.grad!, [1, 1 / (1 + Math.exp(-19)), Math.exp(-50), 0], 1e-300, 1e-15);
    // negative beta: β·x > threshold never happens for x > 0
    expectClose(
      tg.softplus(tg.tensor([1, -30], { dtype: 'float64' }), -1),
      [-Math.log1p(Math.exp(-1)), -30],
      1e-15,
      1e-15,
    );
  });
  it('rejects bad beta and threshold', () => {
    expect(() => tg.softplus(tg.zeros([2]), 0)).toThrow(
      new TypeError("softplus: argument 'beta' must be a finite non-zero number, got a number (0)"),
    );
    expect(() => tg.softplus(tg.zeros([2]), 1, NaN)).toThrow(
      new TypeError("softplus: argument 'threshold' must be a number, got a number (NaN)"),
    );
  });
});

import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { unaryCases } from './unary_cases.js';

describe('silu', () => {
  unaryCases({ name: 'silu', op: tg.silu, method: (x) => x.silu(), ref: (v) => v / (1 + Math.exp(-v)), scale: 3 });
  it('is finite far out in both tails, and its gradient too', () => {
    const x = tg.tensor([-800, -40, 40, 800], { dtype: 'float64', requiresGrad: true });
    const y = tg.silu(x);
    expect(y.toArray()).toEqual([-0, -40 / (1 + Math.exp(40)), 40 / (1 + Math.exp(-40)), 800]);
    y.sum().backward();
    expect((x.grad!.toArray() as number[]).every(Number.isFinite)).toBe(true);
  });
});

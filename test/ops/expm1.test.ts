import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { unaryCases } from './unary_cases.js';

describe('expm1', () => {
  unaryCases({ name: 'expm1', op: tg.expm1, method: (x) => x.expm1(), ref: Math.expm1 });
  it('is accurate for tiny x where exp(x) − 1 is not', () => {
    expect(tg.expm1(tg.tensor([1e-18, -Infinity, 710], { dtype: 'float64' })).toArray()).toEqual([1e-18, -1, Infinity]);
  });
});

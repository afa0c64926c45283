import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { unaryCases } from './unary_cases.js';

describe('log1p', () => {
  unaryCases({ name: 'log1p', op: tg.log1p, method: (x) => x.log1p(), ref: Math.log1p, domain: 'positive' });
  it('is accurate for tiny x where log(1 + x) is not', () => {
    expect(tg.log1p(tg.tensor([1e-18, -1, -2], { dtype: 'float64' })).toArray()).toEqual([1e-18, -Infinity, NaN]);
  });
});

import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { unaryCases } from './unary_cases.js';

describe('rsqrt', () => {
  unaryCases({
    name: 'rsqrt',
    op: tg.rsqrt,
    method: (x) => x.rsqrt(),
    ref: (v) => 1 / Math.sqrt(v),
    domain: 'positive',
  });
  it('gives inf at 0 and NaN for negatives (as PyTorch)', () => {
    expect(tg.rsqrt(tg.tensor([0, -1, 4], { dtype: 'float64' })).toArray()).toEqual([Infinity, NaN, 0.5]);
  });
});

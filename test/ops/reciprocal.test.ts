import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { unaryCases } from './unary_cases.js';

describe('reciprocal', () => {
  unaryCases({
    name: 'reciprocal',
    op: tg.reciprocal,
    method: (x) => x.reciprocal(),
    ref: (v) => 1 / v,
    domain: 'positive',
  });
  it('handles negatives and signed zeros as PyTorch (±inf at ±0)', () => {
    const y = tg.reciprocal(tg.tensor([-4, 0, -0, 0.5], { dtype: 'float64' }));
    expect(y.toArray()).toEqual([-0.25, Infinity, -Infinity, 2]);
  });
  it('gives float32 for int32 input', () => {
    const y = tg.tensor([1, 2, 4], { dtype: 'int32' }).reciprocal();
    expect(y.dtype).toBe('float32');
    expect(y.toArray()).toEqual([1, 0.5, 0.25]);
  });
  it('has gradient −1/x²', () => {
    const x = tg.tensor([-2, 0.5], { dtype: 'float64', requiresGrad: true });
    x.reciprocal().sum().backward();
    expect(x.grad!.toArray()).toEqual([-0.25, -4]);
  });
});

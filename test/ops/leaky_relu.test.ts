import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { unaryCases } from './unary_cases.js';

describe('leakyRelu', () => {
  unaryCases({
    name: 'leakyRelu',
    op: (x) => tg.leakyRelu(x),
    method: (x) => x.leakyRelu(),
    ref: (v) => (v > 0 ? v : 0.01 * v),
    kinks: [0],
  });
  unaryCases({
    name: 'leakyRelu',
    op: (x) => tg.leakyRelu(x, 0.3),
    method: (x) => x.leakyRelu(0.3),
    ref: (v) => (v > 0 ? v : 0.3 * v),
    kinks: [0],
  });
  it('gradient is 1 for x > 0 and the slope for x <= 0 (PyTorch at 0)', () => {
    const x = tg.tensor([2, 0, -3], { dtype: 'float64', requiresGrad: true });
    tg.leakyRelu(x, 0.2).sum().backward();
    expect(x.grad!.toArray()).toEqual([1, 0.2, 0.2]);
  });
  it('rejects a bad slope', () => {
    expect(() => tg.leakyRelu(tg.zeros([2]), NaN)).toThrow(
      new TypeError("leakyRelu: argument 'negativeSlope' must be a finite number, got a number (NaN)"),
    );
    expect(() => tg.leakyRelu(tg.zeros([2]), '1' as any)).toThrow(
      new TypeError("leakyRelu: argument 'negativeSlope' must be a finite number, got a string (1)"),
    );
  });
});

import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { unaryCases } from './unary_cases.js';

describe('square', () => {
  unaryCases({ name: 'square', op: tg.square, method: (x) => x.square(), ref: (v) => v * v });
  it('keeps integer tensors integer', () => {
    const y = tg.square(tg.tensor([-3, 2], { dtype: 'int32' }));
    expect(y.dtype).toBe('int32');
    expect(y.toArray()).toEqual([9, 4]);
  });
});

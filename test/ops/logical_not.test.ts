// logicalNot: bool result for every dtype, NaN counts as true, never requires grad.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { leaf } from '../helpers.js';

describe('logicalNot', () => {
  it('is true where the value is zero or false', () => {
    expect(tg.tensor([true, false]).logicalNot().toArray()).toEqual([false, true]);
    expect(tg.logicalNot(tg.tensor([0, 2, -1], { dtype: 'int32' })).toArray()).toEqual([true, false, false]);
    expect(
      tg
        .tensor([
          [0, NaN],
          [-0, 0.5],
        ])
        .logicalNot()
        .toArray(),
    ).toEqual([
      [true, false],
      [true, false],
    ]);
    expect(tg.tensor(0).logicalNot().toArray()).toBe(true);
    expect(tg.zeros([0]).logicalNot().shape).toEqual([0]);
    const y = leaf([2]).logicalNot();
    expect([y.dtype, y.requiresGrad]).toEqual(['bool', false]);
  });
  it('errors', () => {
    expect(() => tg.logicalNot([true] as any)).toThrow(
      new TypeError("logicalNot: argument 'x' must be a Tensor, got an array"),
    );
  });
});

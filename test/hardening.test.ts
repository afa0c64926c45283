// Hardened public entry points: bad input throws an error whose class and message (naming the public
// function and the argument, what was expected and what was given) are checked exactly, nothing
// crashes, hangs or silently computes wrong numbers, and valid input still works. One `it` per item.
import { describe, expect, it } from 'vitest';
import * as tg from '../lib/index.js';
import { softmaxBackward } from '../lib/ops/softmax.js';

/** fn must throw an instance of exactly `cls` with exactly `message`. */
function expectError(fn: () => unknown, cls: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor, message: string): void {
  let caught: unknown = undefined;
  let threw = false;
  try {
    fn();
  } catch (e) {
    threw = true;
    caught = e;
  }
  expect(threw, `expected ${cls.name}: ${message}`).toBe(true);
  expect((caught as Error).message).toBe(message);
  expect((caught as Error).constructor).toBe(cls);
}

describe('hardening', () => {
  it('1. internal helpers are not in tg; softmaxBackward validates dim and shapes', () => {
    const api = tg as unknown as Record<string, unknown>;
    for (const name of ['softmaxBackward', 'matmulT', 'sumTo']) expect(api[name]).toBeUndefined();
    // what README documents stays
    for (const name of ['matmul', 'softmax', 'logSoftmax', 'expand', 'sum', 'var', 'std', 'clone', 'cat', 'stack'])
      expect(typeof api[name]).toBe('function');

    const y = tg.softmax(tg.tensor([[1, 2, 3], [0, 0, 1]], { dtype: 'float64' }), 1);
    const g = tg.tensor([[1, 0, 0], [0, 1, 0]], { dtype: 'float64' });
    expectError(() => softmaxBackward(y, g, Infinity, false), TypeError, 'softmaxBackward: dim must be an integer, got Infinity');
    expectError(() => softmaxBackward(y, g, NaN, false), TypeError, 'softmaxBackward: dim must be an integer, got NaN');
    expectError(() => softmaxBackward(y, g, 2, false), RangeError, 'softmaxBackward: dim 2 is out of range for a tensor of rank 2 (expected -2..1)');
    expectError(
      () => softmaxBackward(y, tg.zeros([2, 2], { dtype: 'float64' }), 1, false),
      RangeError,
      "softmaxBackward: arguments 'y' and 'g' must have the same shape, got y [2, 3] and g [2, 2]",
    );
    expectError(() => softmaxBackward(y, g, '1' as any, false), TypeError, "softmaxBackward: argument 'dim' must be an integer, got a string (1)");
    expectError(() => softmaxBackward(y, g, 1, 1 as any), TypeError, "softmaxBackward: argument 'log' must be a boolean, got a number (1)");
    // valid input: the softmax gradient, along a negative dim too
    const x = tg.tensor([[1, 2, 3], [0, 0, 1]], { dtype: 'float64', requiresGrad: true });
    tg.softmax(x, 1).backward(g);
    expect(Array.from(softmaxBackward(y, g, -1, false).data)).toEqual(Array.from(x.grad!.data));
  });
});

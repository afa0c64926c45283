// JS-level checks of the optimizer glue (binding/optim.cc): one update each, and every TypeError /
// RangeError path with its exact message.
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';

describe('native.sgdStep / adamStep', () => {
  it('update in place (float32 and float64)', () => {
    for (const C of [Float32Array, Float64Array]) {
      const p = C.of(1, 2),
        g = C.of(0.5, -1),
        buf = new C(2);
      native.sgdStep(p, g, buf, 0.1, 0.9, 0, false, 0, false, true);
      expect(Array.from(p)).toEqual([1 - 0.05, 2 + 0.1].map((v) => (C === Float32Array ? Math.fround(v) : v)));
      expect(Array.from(buf)).toEqual([0.5, -1]);
      const q = C.of(1),
        m = new C(1),
        v = new C(1);
      native.adamStep(q, C.of(2), m, v, null, 0.1, 0.9, 0.999, 1e-8, 0, false, false, false, 1);
      expect(q[0]).toBeCloseTo(0.9, 6); // the first Adam step moves by lr·sign(g)
    }
  });

  it('validates every argument', () => {
    const p = new Float32Array(4),
      g = new Float32Array(4),
      buf = new Float32Array(4);
    const sgd = (...over: [number, unknown][]) => {
      const args: unknown[] = [p, g, buf, 0.1, 0.9, 0, false, 0, false, false];
      for (const [i, v] of over) args[i] = v;
      return () => (native.sgdStep as (...a: unknown[]) => void)(...args);
    };
    expect(sgd()).not.toThrow();
    expect(sgd([2, null], [4, 0])).not.toThrow();
    expect(() => (native.sgdStep as (...a: unknown[]) => void)(p)).toThrow('sgdStep: expected 10 arguments, got 1');
    expect(sgd([0, [1]])).toThrow('sgdStep: argument 0 must be a Float32Array or a Float64Array, got an array');
    expect(sgd([1, new Float64Array(4)])).toThrow('sgdStep: argument 1 must be a Float32Array, got a Float64Array');
    expect(sgd([1, new Float32Array(3)])).toThrow(
      "sgdStep: argument 1 must hold at least 4 elements (the parameter's length), got length 3",
    );
    expect(sgd([2, null])).toThrow('sgdStep: argument 2 must be a Float32Array, got null');
    expect(sgd([3, '0.1'])).toThrow('sgdStep: argument 3 must be a number, got a string');
    expect(sgd([6, 1])).toThrow('sgdStep: argument 6 must be a boolean, got a number');
    expect(sgd([2, p])).toThrow('sgdStep: argument 0 must not overlap argument 2 in memory');
    expect(sgd([1, p])).toThrow('sgdStep: argument 0 must not overlap argument 1 in memory');

    const m = new Float64Array(4),
      v = new Float64Array(4),
      vmax = new Float64Array(4),
      pd = new Float64Array(4),
      gd = new Float64Array(4);
    const adam = (...over: [number, unknown][]) => {
      const args: unknown[] = [pd, gd, m, v, vmax, 0.1, 0.9, 0.999, 1e-8, 0, false, true, false, 1];
      for (const [i, val] of over) args[i] = val;
      return () => (native.adamStep as (...a: unknown[]) => void)(...args);
    };
    expect(adam()).not.toThrow();
    expect(adam([4, null], [11, false])).not.toThrow();
    expect(() => (native.adamStep as (...a: unknown[]) => void)(pd, gd)).toThrow(
      'adamStep: expected 14 arguments, got 2',
    );
    expect(adam([4, null])).toThrow('adamStep: argument 4 must be a Float64Array, got null');
    expect(adam([2, new Float64Array(2)])).toThrow(
      "adamStep: argument 2 must hold at least 4 elements (the parameter's length), got length 2",
    );
    expect(adam([3, new Float32Array(4)])).toThrow('adamStep: argument 3 must be a Float64Array, got a Float32Array');
    expect(adam([13, 0])).toThrow('adamStep: argument 13 must be in [1, 9007199254740992], got 0');
    expect(adam([13, 1.5])).toThrow('adamStep: argument 13 must be an integer, got a number');
    expect(adam([3, m])).toThrow('adamStep: argument 2 must not overlap argument 3 in memory');
    expect(adam([1, m])).toThrow('adamStep: argument 2 must not overlap argument 1 in memory');
  });
});

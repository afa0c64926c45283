// JS-level checks of the cross-entropy glue (binding/loss.cc): values against the JS kernels'
// results through the public op, and every TypeError / RangeError path with its exact message.
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';

const f32 = (n: number) => new Float32Array(n);
const f64 = (n: number) => new Float64Array(n);

describe('native.crossEntropyForward / crossEntropyBackward', () => {
  it('computes loss, lse and the gradient for a tiny case (float32 and float64)', () => {
    for (const make of [f32, f64]) {
      const z = make(3);
      z.set([1, 2, 3]);
      const loss = make(1),
        lse = f64(1),
        dz = make(3),
        r = make(1);
      r[0] = 1;
      native.crossEntropyForward(z, 1, 3, Int32Array.of(2), null, null, -100, 0, loss, lse);
      const l = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
      expect(lse[0]).toBeCloseTo(l, 14);
      expect(loss[0]).toBeCloseTo(l - 3, make === f32 ? 6 : 14);
      native.crossEntropyBackward(z, lse, 1, 3, Int32Array.of(2), null, null, -100, 0, r, 0, dz);
      const p = [1, 2, 3].map((v) => Math.exp(v - l));
      [p[0], p[1], p[2] - 1].forEach((want, i) => {
        expect(dz[i]).toBeCloseTo(want, make === f32 ? 6 : 14);
      });
    }
  });

  it('validates every argument', () => {
    const z = f32(6),
      loss = f32(2),
      lse = f64(2),
      idx = Int32Array.of(0, 1),
      r = f32(2),
      dz = f32(6);
    const fwd = (...over: [number, unknown][]) => {
      const args: unknown[] = [z, 2, 3, idx, null, null, -100, 0, loss, lse];
      for (const [i, v] of over) args[i] = v;
      return () => (native.crossEntropyForward as (...a: unknown[]) => void)(...args);
    };
    expect(fwd()).not.toThrow();
    expect(() => (native.crossEntropyForward as (...a: unknown[]) => void)(z, 2)).toThrow(
      'crossEntropyForward: expected 10 arguments, got 2',
    );
    expect(fwd([0, [1, 2]])).toThrow(
      'crossEntropyForward: argument 0 must be a Float32Array or a Float64Array, got an array',
    );
    expect(fwd([1, 2.5])).toThrow('crossEntropyForward: argument 1 must be an integer, got a number');
    expect(fwd([1, 3])).toThrow('crossEntropyForward: argument 0 must hold at least 9 elements, got length 6');
    expect(fwd([3, null])).toThrow(
      'crossEntropyForward: exactly one of argument 3 (class indices) and argument 4 (probabilities) must be given',
    );
    expect(fwd([4, f32(6)])).toThrow(
      'crossEntropyForward: exactly one of argument 3 (class indices) and argument 4 (probabilities) must be given',
    );
    expect(fwd([3, Int32Array.of(0, 3)])).toThrow(
      'crossEntropyForward: argument 3 entry 1 is 3, outside [0, 3) and not the ignore index',
    );
    expect(fwd([3, Int32Array.of(0, -100)])).not.toThrow();
    expect(fwd([3, Int32Array.of(0)])).toThrow(
      'crossEntropyForward: argument 3 must hold at least 2 elements, got length 1',
    );
    expect(fwd([3, new Float32Array(2)])).toThrow(
      'crossEntropyForward: argument 3 must be an Int32Array, got a Float32Array',
    );
    expect(fwd([3, null], [4, f64(6)])).toThrow(
      'crossEntropyForward: argument 4 must be a Float32Array or null, got a Float64Array',
    );
    expect(fwd([3, null], [4, f32(5)])).toThrow(
      'crossEntropyForward: argument 4 must hold at least 6 elements, got length 5',
    );
    expect(fwd([5, f32(2)])).toThrow('crossEntropyForward: argument 5 must hold at least 3 elements, got length 2');
    expect(fwd([7, 2])).toThrow('crossEntropyForward: argument 7 must be in [0, 1], got 2.000000');
    expect(fwd([8, f32(1)])).toThrow('crossEntropyForward: argument 8 must hold at least 2 elements, got length 1');
    expect(fwd([9, f32(2)])).toThrow('crossEntropyForward: argument 9 must be a Float64Array, got a Float32Array');
    expect(fwd([8, z.subarray(0, 2)])).toThrow('crossEntropyForward: argument 8 must not overlap argument 0 in memory');

    const bwd = (...over: [number, unknown][]) => {
      const args: unknown[] = [z, lse, 2, 3, idx, null, null, -100, 0, r, 1, dz];
      for (const [i, v] of over) args[i] = v;
      return () => (native.crossEntropyBackward as (...a: unknown[]) => void)(...args);
    };
    expect(bwd()).not.toThrow();
    expect(bwd([10, 0], [9, f32(1)])).not.toThrow();
    expect(() => (native.crossEntropyBackward as (...a: unknown[]) => void)(z)).toThrow(
      'crossEntropyBackward: expected 12 arguments, got 1',
    );
    expect(bwd([10, 2])).toThrow('crossEntropyBackward: argument 10 must be in [0, 1], got 2');
    expect(bwd([9, f32(1)])).toThrow('crossEntropyBackward: argument 9 must hold at least 2 elements, got length 1');
    expect(bwd([11, f32(5)])).toThrow('crossEntropyBackward: argument 11 must hold at least 6 elements, got length 5');
    expect(bwd([1, f64(1)])).toThrow('crossEntropyBackward: argument 1 must hold at least 2 elements, got length 1');
    expect(bwd([11, z])).toThrow('crossEntropyBackward: argument 11 must not overlap argument 0 in memory');
    expect(bwd([8, -0.5])).toThrow('crossEntropyBackward: argument 8 must be in [0, 1], got -0.500000');
    expect(bwd([4, Int32Array.of(7, 0)])).toThrow(
      'crossEntropyBackward: argument 4 entry 0 is 7, outside [0, 3) and not the ignore index',
    );
  });
});

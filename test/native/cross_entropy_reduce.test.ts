// The addon's crossEntropyReduce (the mean reduction tg.compile records): what the eager reduction
// computes, bit for bit, and its arguments checked by name.
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';

describe('crossEntropyReduce', () => {
  const loss = Float32Array.from([0.3, 1.7, 0.01, 2.5, 0.9]);
  const y = Int32Array.from([1, 0, -100, 2, 1]);
  const w = Float32Array.from([0.5, 1, 2]);

  it('sums in double and divides by the weights of the rows not ignored', () => {
    const out = new Float32Array(1),
      inverse = new Float32Array(1);
    native.crossEntropyReduce(loss, 5, 3, y, w, -100, true, out, inverse);
    let s = 0;
    for (const v of loss) s += v;
    const divisor = 1 + 0.5 + 2 + 1;
    expect(out[0]).toBe(Math.fround(s / divisor));
    expect(inverse[0]).toBe(Math.fround(1 / divisor));
    native.crossEntropyReduce(loss, 5, 3, null, null, -100, false, out, inverse);
    expect(out[0]).toBe(Math.fround(s));
    expect(inverse[0]).toBe(Math.fround(1 / 5));
  });

  it('checks class indices against the weights, lengths and overlaps', () => {
    const out = new Float32Array(1),
      inverse = new Float32Array(1);
    const bad = Int32Array.from([1, 0, 7, 2, 1]);
    expect(() => native.crossEntropyReduce(loss, 5, 3, bad, w, -100, true, out, inverse)).toThrow(
      /^crossEntropyReduce: argument 3 entry 2 is 7, outside \[0, 3\)/,
    );
    expect(() => native.crossEntropyReduce(loss, 6, 3, y, w, -100, true, out, inverse)).toThrow(
      /^crossEntropyReduce: argument 0 must hold at least 6 elements/,
    );
    expect(() => native.crossEntropyReduce(loss, 5, 3, y, w, -100, true, loss, inverse)).toThrow(/overlap/);
  });
});

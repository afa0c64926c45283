// JS-level checks of the native softmax glue (binding/softmax.cc): values against a JS reference for
// float32 and float64 over (outer, n, inner) layouts, subarray views, and every TypeError / RangeError
// path with its exact message.
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';

function ref(x: ArrayLike<number>, outer: number, n: number, inner: number, log: boolean): number[] {
  const y = new Array<number>(x.length);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      const at = (i: number) => (o * n + i) * inner + j;
      let m = -Infinity;
      for (let i = 0; i < n; i++) m = Math.max(m, x[at(i)]);
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.exp(x[at(i)] - m);
      for (let i = 0; i < n; i++) y[at(i)] = log ? x[at(i)] - m - Math.log(s) : Math.exp(x[at(i)] - m) / s;
    }
  return y;
}

function rand(C: Float32ArrayConstructor | Float64ArrayConstructor, n: number): Float32Array | Float64Array {
  const a = new C(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(i * 12.9898) * 4;
  return a;
}

describe('softmax glue', () => {
  it('forward and backward match the JS reference (float32, float64, strided dims, subarray views)', () => {
    for (const C of [Float32Array, Float64Array]) {
      const tol = C === Float32Array ? 2e-6 : 1e-14;
      for (const [outer, n, inner] of [
        [1, 5, 1],
        [3, 7, 4],
        [2, 3, 300],
      ]) {
        const size = outer * n * inner;
        const buf = rand(C, size + 3);
        const x = buf.subarray(3); // a view with a byte offset
        for (const log of [false, true]) {
          const y = new C(size);
          native.softmax(x, y, outer, n, inner, log);
          const want = ref(x, outer, n, inner, log);
          for (let i = 0; i < size; i++)
            expect(Math.abs(y[i] - want[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i])));
          const g = rand(C, size).map((v) => v / 3 + 0.1);
          const dx = new C(size);
          native.softmaxBackward(y, g, dx, outer, n, inner, log);
          for (let o = 0; o < outer; o++)
            for (let j = 0; j < inner; j++) {
              const at = (i: number) => (o * n + i) * inner + j;
              let acc = 0;
              for (let i = 0; i < n; i++) acc += log ? g[at(i)] : g[at(i)] * y[at(i)];
              for (let i = 0; i < n; i++) {
                const w = log ? g[at(i)] - Math.exp(y[at(i)]) * acc : y[at(i)] * (g[at(i)] - acc);
                expect(Math.abs(dx[at(i)] - w)).toBeLessThanOrEqual(tol * (1 + Math.abs(w)));
              }
            }
        }
      }
    }
  });

  it('rejects bad arguments without touching memory', () => {
    const x = new Float64Array(6),
      y = new Float64Array(6),
      g = new Float64Array(6);
    expect(() => (native as any).softmax(x, y, 1, 6, 1)).toThrow(new TypeError('softmax: expected 6 arguments, got 5'));
    expect(() => native.softmax([1] as any, y, 1, 1, 1, false)).toThrow(
      new TypeError('softmax: argument 0 must be a Float32Array or a Float64Array, got an array'),
    );
    expect(() => native.softmax(x, new Float32Array(6), 1, 6, 1, false)).toThrow(
      new TypeError('softmax: argument 1 must be a Float64Array (the type of argument 0), got a Float32Array'),
    );
    expect(() => native.softmax(x, y, 1.5, 6, 1, false)).toThrow(
      new TypeError('softmax: argument 2 must be an integer, got a number'),
    );
    expect(() => native.softmax(x, y, -1, 6, 1, false)).toThrow(
      new RangeError('softmax: argument 2 must be in [0, 9007199254740992], got -1'),
    );
    expect(() => native.softmax(x, y, 1, 6, 1, 1 as any)).toThrow(
      new TypeError('softmax: argument 5 must be a boolean, got a number'),
    );
    expect(() => native.softmax(x, y, 2, 6, 1, false)).toThrow(
      new RangeError('softmax: argument 0 must have length 12 (outer·n·inner), got 6'),
    );
    expect(() => native.softmax(x, new Float64Array(5), 1, 6, 1, false)).toThrow(
      new RangeError('softmax: argument 1 must have length 6 (outer·n·inner), got 5'),
    );
    expect(() => native.softmax(x, y, 2 ** 30, 2 ** 30, 2 ** 30, false)).toThrow(
      new RangeError(
        'softmax: arguments 2..4 must describe at most 2^53 elements, got 1073741824·1073741824·1073741824',
      ),
    );
    const shared = new Float64Array(9);
    expect(() => native.softmax(shared.subarray(0, 6), shared.subarray(3, 9), 1, 6, 1, false)).toThrow(
      new RangeError('softmax: argument 1 must not overlap argument 0 in memory'),
    );
    expect(() => native.softmax(x, x, 1, 6, 1, false)).toThrow(
      new RangeError('softmax: argument 1 must not overlap argument 0 in memory'),
    );
    expect(() => (native as any).softmaxBackward(y, g, x, 1, 6, 1)).toThrow(
      new TypeError('softmaxBackward: expected 7 arguments, got 6'),
    );
    expect(() => native.softmaxBackward(y, g, new Float64Array(4), 1, 6, 1, true)).toThrow(
      new RangeError('softmaxBackward: argument 2 must have length 6 (outer·n·inner), got 4'),
    );
    expect(() => native.softmaxBackward(y, new Float32Array(6) as any, x, 1, 6, 1, true)).toThrow(
      new TypeError('softmaxBackward: argument 1 must be a Float64Array (the type of argument 0), got a Float32Array'),
    );
    expect(() => native.softmaxBackward(y, g, y, 1, 6, 1, true)).toThrow(
      new RangeError('softmaxBackward: argument 2 must not overlap argument 0 in memory'),
    );
    expect(() => native.softmaxBackward(y, g, g, 1, 6, 1, false)).toThrow(
      new RangeError('softmaxBackward: argument 2 must not overlap argument 1 in memory'),
    );
    // Empty shapes are fine and touch nothing.
    native.softmax(new Float32Array(0), new Float32Array(0), 0, 5, 3, true);
  });
});

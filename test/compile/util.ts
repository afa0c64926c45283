// Shared helpers of the tg.compile tests: bit-for-bit comparison of tensors, seeded MLPs and batches,
// and a counter of how often a compiled function's body runs (it runs only while recording, or eagerly).
import { expect } from 'vitest';
import * as tg from '../../lib/index.js';

const { nn } = tg;

/** The bytes behind a tensor's values. */
function bytesOf(t: tg.Tensor): Uint8Array {
  const d = t.data;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Where got and want differ (dtype, shape, or the first differing element), or null when bit-identical. */
export function bitDifference(got: tg.Tensor, want: tg.Tensor): string | null {
  if (got.dtype !== want.dtype) return `dtype ${got.dtype}, want ${want.dtype}`;
  if (got.shape.join() !== want.shape.join()) return `shape [${got.shape}], want [${want.shape}]`;
  const a = bytesOf(got),
    b = bytesOf(want);
  if (a.length !== b.length) return `${a.length} bytes, want ${b.length}`;
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i]) {
      const e = Math.floor(i / got.data.BYTES_PER_ELEMENT);
      let count = 0;
      for (let j = 0; j < got.data.length; j++) if (!Object.is(got.data[j], want.data[j])) count++;
      return `element ${e} is ${got.data[e]}, want ${want.data[e]} (${count} of ${got.size} elements differ)`;
    }
  return null;
}

/** got must equal want bit for bit (dtype, shape and every byte). */
export function expectSame(got: tg.Tensor, want: tg.Tensor, what = 'tensor'): void {
  const d = bitDifference(got, want);
  if (d !== null) expect.fail(`${what}: ${d}`);
}

/** Every tensor in got equals the one at the same place in want, bit for bit (arrays and plain objects). */
export function expectSameTree(got: unknown, want: unknown, what = 'result'): void {
  if (want instanceof tg.Tensor) {
    expect(got, `${what} is a tensor`).toBeInstanceOf(tg.Tensor);
    expectSame(got as tg.Tensor, want, what);
  } else if (Array.isArray(want)) {
    expect(Array.isArray(got), `${what} is an array`).toBe(true);
    expect((got as unknown[]).length, `${what}.length`).toBe(want.length);
    for (let i = 0; i < want.length; i++) expectSameTree((got as unknown[])[i], want[i], `${what}[${i}]`);
  } else if (want !== null && typeof want === 'object') {
    expect(Object.keys(got as object), `${what}'s keys`).toEqual(Object.keys(want));
    for (const [k, w] of Object.entries(want)) expectSameTree((got as Record<string, unknown>)[k], w, `${what}.${k}`);
  } else expect(got, what).toBe(want);
}

/** Every parameter of a equals the one of b at the same position, bit for bit. */
export function expectSameParameters(a: tg.nn.Module, b: tg.nn.Module): void {
  const pa = a.namedParameters(),
    pb = b.namedParameters();
  expect(pa.map(([n]) => n)).toEqual(pb.map(([n]) => n));
  for (let i = 0; i < pa.length; i++) expectSame(pa[i][1], pb[i][1], `parameter ${pa[i][0]}`);
}

/** An MLP in → hidden… → out with ReLU between the layers, initialised from manualSeed(seed). */
export function mlp(
  sizes: number[],
  seed: number,
  opts: { dtype?: 'float32' | 'float64'; dropout?: number } = {},
): tg.nn.Sequential {
  tg.manualSeed(seed);
  const layers: tg.nn.Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new nn.Linear(sizes[i], sizes[i + 1], { dtype: opts.dtype }));
    if (i + 2 < sizes.length) {
      layers.push(new nn.ReLU());
      if (opts.dropout !== undefined) layers.push(new nn.Dropout(opts.dropout));
    }
  }
  return new nn.Sequential(...layers);
}

/** n fixed batches [rows, features] with class targets in 0..classes-1, drawn from manualSeed(seed). */
export function batches(
  n: number,
  rows: number,
  features: number,
  classes: number,
  seed: number,
  dtype: 'float32' | 'float64' = 'float32',
): { x: tg.Tensor; y: tg.Tensor }[] {
  tg.manualSeed(seed);
  return Array.from({ length: n }, (_, b) => ({
    x: tg.randn([rows, features], { dtype }),
    y: tg.tensor(
      Int32Array.from({ length: rows }, (_, r) => (r * 7 + b * 3 + ((r * r) >> 2)) % classes),
      { shape: [rows] },
    ),
  }));
}

/** fn wrapped so that calls to it are counted (a compiled function calls its body only to record or run eagerly). */
export function counted<A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R) & { calls: number } {
  const wrapped = ((...args: A): R => {
    wrapped.calls++;
    return fn(...args);
  }) as ((...args: A) => R) & { calls: number };
  wrapped.calls = 0;
  return wrapped;
}

/**
 * A classifier's training step over `model`: logits, crossEntropy, zeroGrad, backward, opt.step();
 * returns the detached loss and logits.
 */
export function classifierStep(model: tg.nn.Module, opt: tg.optim.Optimizer) {
  return (x: tg.Tensor, y: tg.Tensor): [tg.Tensor, tg.Tensor] => {
    const logits = model.call(x) as tg.Tensor;
    const loss = tg.nn.functional.crossEntropy(logits, y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return [loss.detach(), logits.detach()];
  };
}

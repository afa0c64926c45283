// The seeded generator behind rand/randn/dropout: xoshiro128** (fast, 32-bit state words, good
// statistical quality), seeded through splitmix32 so every seed gives a well-mixed state.
import { recorder } from './compile/state.js';
import { describe } from './shape.js';

let s0 = 0,
  s1 = 0,
  s2 = 0,
  s3 = 0;
let spare: number | null = null; // the second value of the last Box–Muller pair

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Seeds the global generator (any number; non-integers are truncated). */
export function manualSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isFinite(seed))
    throw new TypeError(
      `manualSeed: seed must be a finite number, got ${typeof seed === 'number' ? String(seed) : describe(seed)}`,
    );
  // Under tg.compile's recording, an effect: every replay reseeds, as every eager call does.
  const rec = recorder();
  if (rec !== null) {
    rec.effect('manualSeed', () => manualSeed(seed));
    return;
  }
  const next = splitmix32(Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32));
  s0 = next();
  s1 = next();
  s2 = next();
  s3 = next();
  spare = null;
}

manualSeed(0x5eed);

function nextUint32(): number {
  const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return result;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Uniform in [0, 1) with 53 random bits. */
export function uniform(): number {
  return ((nextUint32() >>> 5) * 67108864 + (nextUint32() >>> 6)) / 9007199254740992;
}

/** Standard normal (Box–Muller, the second value of each pair kept for the next call). */
export function normal(): number {
  if (spare !== null) {
    const v = spare;
    spare = null;
    return v;
  }
  let u = 0;
  while (u === 0) u = uniform();
  const v = uniform();
  const r = Math.sqrt(-2 * Math.log(u));
  spare = r * Math.sin(2 * Math.PI * v);
  return r * Math.cos(2 * Math.PI * v);
}

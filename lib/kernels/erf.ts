// Double-precision erf / erfc and the standard normal CDF in plain TS (JS has no Math.erf), accurate to
// a few ulp: a positive-term series for |x| < 2.5 (no cancellation) and a continued fraction for the
// tail. exp(−x²) is evaluated with x² split exactly into hi + lo, so large x lose no accuracy there.

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const ONE_OVER_SQRT_PI = 0.5641895835477563; // 1/√π
const SPLIT = 134217729; // 2^27 + 1 (Veltkamp splitting)

/** exp(−x²) with x² = hi² + lo·(x + hi) split so that hi² is exact. */
function expMinusSquare(x: number): number {
  const s = x * SPLIT;
  const hi = s - (s - x);
  const lo = x - hi;
  return Math.exp(-hi * hi) * Math.exp(-lo * (x + hi));
}

/** erf(x) for 0 ≤ x < 2.5: (2/√π)·e^(−x²)·Σ 2ⁿx^(2n+1)/(2n+1)!! (every term positive). */
function erfSeries(x: number): number {
  const x2 = 2 * x * x;
  let term = x,
    sum = x;
  for (let n = 1; n < 200; n++) {
    term *= x2 / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * expMinusSquare(x) * sum;
}

/** erfc(x) for x ≥ 2.5: e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) by Lentz's method. */
function erfcFraction(x: number): number {
  if (x > 27.3) return 0; // below the smallest subnormal
  const tiny = 1e-300;
  let f = x,
    c = x,
    d = 0;
  for (let k = 1; k < 1000; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * expMinusSquare(x)) / f;
}

/** The error function erf(x) = (2/√π)∫₀ˣ e^(−t²) dt; odd, erf(±∞) = ±1, NaN for NaN. */
export function erf(x: number): number {
  if (x !== x) return x;
  const a = Math.abs(x);
  if (a === 0) return x; // keeps −0
  const r = a < 2.5 ? erfSeries(a) : 1 - erfcFraction(a);
  return x < 0 ? -r : r;
}

/** The complementary error function 1 − erf(x), accurate also where it is tiny (large x). */
export function erfc(x: number): number {
  if (x !== x) return x;
  // The fraction converges within ~200 terms from 1.5 on; below, 1 − erf loses under 4 bits.
  if (x >= 1.5) return erfcFraction(x);
  if (x > -2.5) return 1 - erf(x);
  return 2 - erfcFraction(-x);
}

/** The standard normal CDF Φ(x) = ½·erfc(−x/√2) (accurate in the lower tail). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}

/** The standard normal density φ(x) = e^(−x²/2)/√(2π). */
export function normalPdf(x: number): number {
  return 0.3989422804014327 * Math.exp(-0.5 * x * x);
}

// The generic bodies of the elementwise and reduction inner kernels. This file is #included by exactly
// one translation unit per instruction set (kernels_scalar.cc, kernels_avx2.cc, kernels_avx512.cc),
// each compiled with its own -m flags, and everything here has internal linkage (anonymous namespace):
// no inline function or template may be shared between TUs built for different ISAs, or the linker
// could keep an AVX-512 copy for a baseline caller (docs/NATIVE.md, one instruction set per TU). For the same reason it
// includes no standard library headers beyond <cstdint>, and calls libm only through __builtin_* (plain
// C functions, never inline C++ wrappers).
//
// Vectorisation is GCC's auto-vectoriser at -O3: loops are written branch-free (selects, not ifs), with
// explicit multiple accumulators for reductions (FP adds are not reassociated without -ffast-math), and
// `#pragma GCC ivdep` where out may equal an input: the contract allows only exact equality, which
// carries no loop dependence, so the runtime alias check (which would fail for out == x) is skipped.
//
// Transcendentals: branch-free ports of the fdlibm/musl kernels (exp: e_exp.c; log: musl log.c;
// sin/cos: __sin/__cos with a three-part Cody-Waite reduction by pi/2), accurate to about 1 ulp in
// double. Float32 ops evaluate them in double and round once, so they are within 1 ulp of std::.
#pragma once
#include <cstdint>

#include "ops/sqrt_loop.h"
#include "ops/table.h"
#include "tapegrad/elementwise.h"
#include "tapegrad/reduce.h"
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>  // intrinsics are gnu_inline/always_inline: never emitted out of line, no ODR risk
#endif

// The FP exception flags are never read by our callers. Without no-trapping-math GCC will not
// speculate a division out of a select's arm on AVX2 (no masked ops), which leaves control flow in the
// loop and the vectoriser gives up on it. (no-math-errno cannot be set this way: the sqrt builtin's
// attributes are fixed by the command line, hence the intrinsics in sqrt_loop, ops/sqrt_loop.h.)
#pragma GCC optimize("no-trapping-math")

namespace tapegrad {
namespace ops {
namespace {

// ---- bit helpers ------------------------------------------------------------------------------------
inline uint64_t as_u64(double x) {
  uint64_t u;
  __builtin_memcpy(&u, &x, sizeof u);
  return u;
}
inline double as_f64(uint64_t u) {
  double x;
  __builtin_memcpy(&x, &u, sizeof x);
  return x;
}
inline double copysign_bits(double mag, double sgn) {
  return as_f64((as_u64(mag) & ~(uint64_t{1} << 63)) | (as_u64(sgn) & (uint64_t{1} << 63)));
}

constexpr double kInf = __builtin_huge_val();
constexpr double kShift = 0x1.8p52;  // x + kShift rounds x to an integer held in the low mantissa bits
constexpr uint64_t kShiftBits = 0x4338000000000000ULL;

// ---- exp (fdlibm e_exp.c, branch-free) ----------------------------------------------------------------
// exp(x) = 2^k · exp(r), r = x − k·ln2 in [−ln2/2, ln2/2]; exp(r) = 1 + r + r·c/(2 − c) with c from a
// degree-5 minimax polynomial in r² (error < 2^-59). 2^k is applied as two factors so that subnormal
// results are rounded once. x is clamped first so k stays in range; NaN passes the clamps unchanged.
inline double exp_d(double x) {
  constexpr double ln2hi = 6.93147180369123816490e-01, ln2lo = 1.90821492927058770002e-10,
                   invln2 = 1.44269504088896338700e+00, P1 = 1.66666666666666019037e-01,
                   P2 = -2.77777777770155933842e-03, P3 = 6.61375632143793436117e-05, P4 = -1.65339022054652515390e-06,
                   P5 = 4.13813679705723846039e-08;
  double xc = x > 710.0 ? 710.0 : x;
  xc = xc < -746.0 ? -746.0 : xc;
  const double kd = xc * invln2 + kShift;
  const double k = kd - kShift;
  const double hi = xc - k * ln2hi;  // exact: k·ln2hi has at most 43 significant bits
  const double lo = k * ln2lo;
  const double r = hi - lo;
  const double t = r * r;
  const double c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  const double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  // k in [−1076, 1024] as a two's-complement integer; split it as k1 + k2 with both in the normal range.
  const uint64_t ki = as_u64(kd) - kShiftBits;
  const uint64_t k1 = ((ki + 2048) >> 1) - 1024;
  const double s1 = as_f64((k1 + 1023) << 52);
  const double s2 = as_f64((ki - k1 + 1023) << 52);
  return y * s1 * s2;
}

// ---- log (musl log.c, branch-free) --------------------------------------------------------------------
// x = 2^k · (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)); log(1 + f) = f − f²/2 + s·(f²/2 + R(s²)),
// s = f / (2 + f). Subnormals are scaled by 2^54 first; zero, negatives, inf and NaN are patched last.
inline double log_d(double x) {
  constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10,
                   Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
                   Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                   Lg7 = 1.479819860511658591e-01;
  const bool sub = x < 0x1p-1022;
  const double xs = sub ? x * 0x1p54 : x;
  uint64_t ix = as_u64(xs) + (uint64_t{0x3ff00000 - 0x3fe6a09e} << 32);
  // (ix >> 52) − 1023 − (sub ? 54 : 0), converted to double without a 64-bit int → double instruction.
  const double e = as_f64((ix >> 52) | kShiftBits) - kShift;
  const double dk = e - (sub ? 1077.0 : 1023.0);
  ix = (ix & 0x000fffffffffffffULL) + (uint64_t{0x3fe6a09e} << 32);
  const double f = as_f64(ix) - 1.0;
  const double hfsq = 0.5 * f * f;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const double R = t2 + t1;
  double r = s * (hfsq + R) + dk * ln2_lo - hfsq + f + dk * ln2_hi;
  r = x == 0.0 ? -kInf : r;
  r = x < 0.0 ? __builtin_nan("") : r;
  r = x == kInf ? kInf : r;
  r = x != x ? x : r;
  return r;
}

// ---- sin / cos (musl __sin/__cos kernels + Cody-Waite reduction) -------------------------------------
// Valid for |x| <= kSinCosMax (n = round(x·2/pi) < 2^20, so n times a 33-bit piece of pi/2 is exact);
// callers route larger and non-finite arguments to libm.
constexpr double kSinCosMax = 5.0e5;

// x − n·pi/2 as hi + lo, with the error of each step recovered exactly (2Sum).
inline double two_sum_err(double a, double b, double s) {
  const double bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

// sin(x) for quadrant offset q_off = 0, cos(x) for q_off = 1.
inline double sincos_d(double x, uint64_t q_off) {
  constexpr double two_over_pi = 6.36619772367581382433e-01, pio2_1 = 1.57079632673412561417e+00,
                   pio2_2 = 6.07710050630396597660e-11, pio2_3 = 2.02226624871116645580e-21,
                   pio2_3t = 8.47842766036889956997e-32;
  constexpr double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03, S3 = -1.98412698298579493134e-04,
                   S4 = 2.75573137070700676789e-06, S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
  constexpr double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03, C3 = 2.48015872894767294178e-05,
                   C4 = -2.75573143513906633035e-07, C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
  const double kd = x * two_over_pi + kShift;
  const double n = kd - kShift;
  const uint64_t q = as_u64(kd) + q_off;  // low two bits: (n + q_off) mod 4
  const double t1 = x - n * pio2_1;       // exact (Sterbenz)
  const double w2 = -(n * pio2_2);        // exact products: n < 2^20, constants have 33 bits
  const double t2 = t1 + w2;
  const double e2 = two_sum_err(t1, w2, t2);
  const double w3 = -(n * pio2_3);
  const double t3 = t2 + w3;
  const double e3 = two_sum_err(t2, w3, t3);
  const double lo = (e2 + e3) - n * pio2_3t;
  const double r = t3 + lo;
  const double y = (t3 - r) + lo;
  // __sin(r, y, 1)
  const double z = r * r;
  const double w = z * z;
  const double rs = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
  const double v = z * r;
  const double s = r - ((z * (0.5 * y - v * rs) - y) - v * S1);
  // __cos(r, y)
  const double rc = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
  const double hz = 0.5 * z;
  const double wc = 1.0 - hz;
  const double c = wc + (((1.0 - wc) - hz) + (z * rc - r * y));
  double res = (q & 1) ? c : s;
  res = (q & 2) ? -res : res;
  // sin(x) = x for tiny x (also keeps the sign of −0).
  return (q_off == 0 && __builtin_fabs(x) < 0x1p-26) ? x : res;
}

// ---- tanh, sigmoid, expm1, log1p ---------------------------------------------------------------------
// expm1(y) for |y| < 1.1 from its Taylor series (20 terms, truncation < 2^-58), y + y²·P(y) so the
// leading term is exact.
inline double expm1_small(double y) {
  double p = 1.0 / 51090942171709440000.0;  // 1/21!
  p = 1.0 / 2432902008176640000.0 + y * p;  // 1/20!
  p = 1.0 / 121645100408832000.0 + y * p;
  p = 1.0 / 6402373705728000.0 + y * p;
  p = 1.0 / 355687428096000.0 + y * p;
  p = 1.0 / 20922789888000.0 + y * p;
  p = 1.0 / 1307674368000.0 + y * p;
  p = 1.0 / 87178291200.0 + y * p;
  p = 1.0 / 6227020800.0 + y * p;
  p = 1.0 / 479001600.0 + y * p;
  p = 1.0 / 39916800.0 + y * p;
  p = 1.0 / 3628800.0 + y * p;
  p = 1.0 / 362880.0 + y * p;
  p = 1.0 / 40320.0 + y * p;
  p = 1.0 / 5040.0 + y * p;
  p = 1.0 / 720.0 + y * p;
  p = 1.0 / 120.0 + y * p;
  p = 1.0 / 24.0 + y * p;
  p = 1.0 / 6.0 + y * p;
  p = 0.5 + y * p;
  return y + y * y * p;
}

// |x| >= 0.55: 1 − 2/(e^{2|x|} + 1) (no cancellation: the result is >= 0.5). Below, with
// m = expm1(2|x|): tanh = m / (m + 2).
inline double tanh_d(double x) {
  const double a = __builtin_fabs(x);
  const double e = exp_d(2.0 * a);
  const double big = 1.0 - 2.0 / (e + 1.0);
  const double m = expm1_small(2.0 * a);
  const double small = m / (m + 2.0);
  const double t = a < 0.55 ? small : big;
  return copysign_bits(t, x);  // NaN: both branches are NaN
}

// expm1: the series below 1.1 in magnitude, exp(x) − 1 above (cancellation there costs < 1 bit).
inline double expm1_d(double x) {
  const double r = __builtin_fabs(x) < 1.1 ? expm1_small(x) : exp_d(x) - 1.0;
  return x == 0.0 ? x : r;  // keeps −0
}

// log1p(x) = log(u) − ((u − 1) − x)/u with u = 1 + x rounded: the quotient restores what the rounding lost.
inline double log1p_d(double x) {
  const double u = 1.0 + x;
  double r = log_d(u) - ((u - 1.0) - x) / u;
  r = u == 1.0 ? x : r;
  r = x == -1.0 ? -kInf : r;
  r = x == kInf ? kInf : r;
  return r;
}

// erfc (fdlibm s_erf.c, branch-free: every region's rational approximation is evaluated and the
// right one selected). |x| < 0.84375: 1 − x − x·P/Q; [0.84375, 1.25): around erf(1); [1.25, 28):
// exp(−z² − 0.5625)·exp((z − x)(z + x) + R/S)/x with z = x cut to 21 mantissa bits, so z² is exact.
inline double erfc_d(double x) {
  constexpr double erx = 8.45062911510467529297e-01, pp0 = 1.28379167095512558561e-01,
                   pp1 = -3.25042107247001499370e-01, pp2 = -2.84817495755985104766e-02,
                   pp3 = -5.77027029648944159157e-03, pp4 = -2.37630166566501626084e-05,
                   qq1 = 3.97917223959155352819e-01, qq2 = 6.50222499887672944485e-02, qq3 = 5.08130628187576562776e-03,
                   qq4 = 1.32494738004321644526e-04, qq5 = -3.96022827877536812320e-06,
                   pa0 = -2.36211856075265944077e-03, pa1 = 4.14856118683748331666e-01,
                   pa2 = -3.72207876035701323847e-01, pa3 = 3.18346619901161753674e-01,
                   pa4 = -1.10894694282396677476e-01, pa5 = 3.54783043256182359371e-02,
                   pa6 = -2.16637559486879084300e-03, qa1 = 1.06420880400844228286e-01,
                   qa2 = 5.40397917702171048937e-01, qa3 = 7.18286544141962662868e-02, qa4 = 1.26171219808761642112e-01,
                   qa5 = 1.36370839120290507362e-02, qa6 = 1.19844998467991074170e-02,
                   ra0 = -9.86494403484714822705e-03, ra1 = -6.93858572707181764372e-01,
                   ra2 = -1.05586262253232909814e+01, ra3 = -6.23753324503260060396e+01,
                   ra4 = -1.62396669462573470355e+02, ra5 = -1.84605092906711035994e+02,
                   ra6 = -8.12874355063065934246e+01, ra7 = -9.81432934416914548592e+00,
                   sa1 = 1.96512716674392571292e+01, sa2 = 1.37657754143519042600e+02, sa3 = 4.34565877475229228821e+02,
                   sa4 = 6.45387271733267880336e+02, sa5 = 4.29008140027567833386e+02, sa6 = 1.08635005541779435134e+02,
                   sa7 = 6.57024977031928170135e+00, sa8 = -6.04244152148580987438e-02,
                   rb0 = -9.86494292470009928597e-03, rb1 = -7.99283237680523006574e-01,
                   rb2 = -1.77579549177547519889e+01, rb3 = -1.60636384855821916062e+02,
                   rb4 = -6.37566443368389627722e+02, rb5 = -1.02509513161107724954e+03,
                   rb6 = -4.83519191608651397019e+02, sb1 = 3.03380607434824582924e+01,
                   sb2 = 3.25792512996573918826e+02, sb3 = 1.53672958608443695994e+03, sb4 = 3.19985821950859553908e+03,
                   sb5 = 2.55305040643316442583e+03, sb6 = 4.74528541206955367215e+02,
                   sb7 = -2.24409524465858183362e+01;
  const double ax = __builtin_fabs(x);
  // |x| < 0.84375
  const double z1 = x * x;
  const double r1 = pp0 + z1 * (pp1 + z1 * (pp2 + z1 * (pp3 + z1 * pp4)));
  const double s1 = 1.0 + z1 * (qq1 + z1 * (qq2 + z1 * (qq3 + z1 * (qq4 + z1 * qq5))));
  const double y = r1 / s1;
  const double e1 = x < 0.25 ? 1.0 - (x + x * y) : 0.5 - (x * y + (x - 0.5));
  // 0.84375 <= |x| < 1.25
  const double s2 = ax - 1.0;
  const double P = pa0 + s2 * (pa1 + s2 * (pa2 + s2 * (pa3 + s2 * (pa4 + s2 * (pa5 + s2 * pa6)))));
  const double Q = 1.0 + s2 * (qa1 + s2 * (qa2 + s2 * (qa3 + s2 * (qa4 + s2 * (qa5 + s2 * qa6)))));
  const double e2 = x >= 0.0 ? (1.0 - erx) - P / Q : 1.0 + (erx + P / Q);
  // 1.25 <= |x| < 28 (clamped so the unused lanes stay finite)
  double a = ax < 1.25 ? 1.25 : ax;
  a = a > 28.0 ? 28.0 : a;
  const double s = 1.0 / (a * a);
  const double Ra = ra0 + s * (ra1 + s * (ra2 + s * (ra3 + s * (ra4 + s * (ra5 + s * (ra6 + s * ra7))))));
  const double Sa = 1.0 + s * (sa1 + s * (sa2 + s * (sa3 + s * (sa4 + s * (sa5 + s * (sa6 + s * (sa7 + s * sa8)))))));
  const double Rb = rb0 + s * (rb1 + s * (rb2 + s * (rb3 + s * (rb4 + s * (rb5 + s * rb6)))));
  const double Sb = 1.0 + s * (sb1 + s * (sb2 + s * (sb3 + s * (sb4 + s * (sb5 + s * (sb6 + s * sb7))))));
  const double RS = a < 0x1.6db6dp+1 ? Ra / Sa : Rb / Sb;  // 1/0.35 as fdlibm's high word 0x4006DB6D
  const double z = as_f64(as_u64(a) & 0xffffffff00000000ULL);
  const double r = exp_d(-z * z - 0.5625) * exp_d((z - a) * (z + a) + RS);
  const double e3 = x > 0.0 ? r / a : 2.0 - r / a;
  double res = ax < 28.0 ? e3 : (x > 0.0 ? 0.0 : 2.0);
  res = ax < 1.25 ? e2 : res;
  res = ax < 0.84375 ? e1 : res;
  return x != x ? x : res;
}

inline double sigmoid_d(double x) { return 1.0 / (1.0 + exp_d(-x)); }

// ---- unary ------------------------------------------------------------------------------------------
template <typename T, typename F>
inline void map1(const T* x, T* out, int64_t n, F f) {
#pragma GCC ivdep
  for (int64_t i = 0; i < n; ++i) out[i] = f(x[i]);
}

// Float32 transcendentals run the double kernels over a block converted to double: three simple loops
// that vectorise, where one loop mixing float and double lanes does not (reliably). In place is fine:
// each block is read completely before it is written.
template <typename G>
void via_double(const float* x, float* out, int64_t n, G g) {
  constexpr int64_t B = 512;
  double buf[B];
  for (int64_t b = 0; b < n; b += B) {
    const int64_t m = n - b < B ? n - b : B;
    for (int64_t i = 0; i < m; ++i) buf[i] = static_cast<double>(x[b + i]);
    g(buf, m);
    for (int64_t i = 0; i < m; ++i) out[b + i] = static_cast<float>(buf[i]);
  }
}
template <typename G>
void via_double(const double* x, double* out, int64_t n, G g) {
  if (x != out) {
    for (int64_t b = 0; b < n; b += 512) {  // copy block by block while it is in cache
      const int64_t m = n - b < 512 ? n - b : 512;
      for (int64_t i = 0; i < m; ++i) out[b + i] = x[b + i];
      g(out + b, m);
    }
  } else {
    g(out, n);
  }
}

// sin/cos in place on doubles, in blocks: a block whose arguments all lie in the reduction's range
// runs the vector path, any other block runs element by element with libm for the out-of-range ones.
template <uint64_t kCos>
void sincos_inplace(double* v, int64_t n) {
  constexpr int64_t B = 256;
  for (int64_t b = 0; b < n; b += B) {
    const int64_t m = n - b < B ? n - b : B;
    double* vb = v + b;
    int bad = 0;
    for (int64_t i = 0; i < m; ++i) bad |= !(__builtin_fabs(vb[i]) <= kSinCosMax);
    if (!bad) {
      for (int64_t i = 0; i < m; ++i) vb[i] = sincos_d(vb[i], kCos);
    } else {
      for (int64_t i = 0; i < m; ++i) {
        const double t = vb[i];
        vb[i] = __builtin_fabs(t) <= kSinCosMax ? sincos_d(t, kCos) : (kCos ? __builtin_cos(t) : __builtin_sin(t));
      }
    }
  }
}

// out[i] = F(x[i]) in place on double blocks for either type. (GCC 12 vectorises gelu's long erfc
// body for float32 this way, but not for float64: TODO find out why; float64 gelu runs at libm speed.)
template <typename T, typename F>
inline void map_blocks(const T* x, T* out, int64_t n, F f) {
  via_double(x, out, n, [f](double* v, int64_t m) {
    for (int64_t i = 0; i < m; ++i) v[i] = f(v[i]);
  });
}

// out[i] = F(x[i]) through double for the transcendental F.
template <typename T, typename F>
inline void map_d(const T* x, T* out, int64_t n, F f) {
  if constexpr (sizeof(T) == sizeof(double)) {
    map1(x, out, n, f);
  } else {
    via_double(x, out, n, [f](double* v, int64_t m) {
      for (int64_t i = 0; i < m; ++i) v[i] = f(v[i]);
    });
  }
}

template <typename T>
void pow_scalar(const T* x, T* out, int64_t n, double p) {
  if (p == 0.0) map1(x, out, n, [](T) { return T(1); });  // pow(x, 0) = 1, even for NaN
  else if (p == 1.0) map1(x, out, n, [](T v) { return v; });
  else if (p == 2.0) map1(x, out, n, [](T v) { return v * v; });
  else if (p == -1.0) map1(x, out, n, [](T v) { return T(1) / v; });
  else if (p == 0.5) {  // pow(−0, 0.5) = +0 and pow(−inf, 0.5) = +inf, unlike sqrt
    T buf[256];
    for (int64_t b = 0; b < n; b += 256) {
      const int64_t m = n - b < 256 ? n - b : 256;
      sqrt_loop(x + b, buf, m);
      for (int64_t i = 0; i < m; ++i)
        out[b + i] = x[b + i] == -static_cast<T>(kInf) ? static_cast<T>(kInf) : buf[i] + T(0);
    }
  } else
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(__builtin_pow(static_cast<double>(x[i]), p));
}

template <typename T>
void unary(int op, const T* x, T* out, int64_t n, double p0, double p1) {
  using D = double;
  switch (static_cast<UnaryOp>(op)) {
    case UnaryOp::Neg: map1(x, out, n, [](T v) { return -v; }); break;
    case UnaryOp::Exp: map_d(x, out, n, [](D v) { return exp_d(v); }); break;
    case UnaryOp::Log: map_d(x, out, n, [](D v) { return log_d(v); }); break;
    case UnaryOp::Sqrt: sqrt_loop(x, out, n); break;
    case UnaryOp::Sin: via_double(x, out, n, [](D* v, int64_t m) { sincos_inplace<0>(v, m); }); break;
    case UnaryOp::Cos: via_double(x, out, n, [](D* v, int64_t m) { sincos_inplace<1>(v, m); }); break;
    case UnaryOp::Tanh: map_d(x, out, n, [](D v) { return tanh_d(v); }); break;
    case UnaryOp::Sigmoid: map_d(x, out, n, [](D v) { return sigmoid_d(v); }); break;
    case UnaryOp::Relu: map1(x, out, n, [](T v) { return (v > T(0) || v != v) ? v : T(0); }); break;
    case UnaryOp::Abs: map1(x, out, n, [](T v) { return static_cast<T>(__builtin_fabs(static_cast<D>(v))); }); break;
    case UnaryOp::PowScalar: pow_scalar(x, out, n, p0); break;
    case UnaryOp::AddScalar: {
      const T c = static_cast<T>(p0);
      map1(x, out, n, [c](T v) { return v + c; });
      break;
    }
    case UnaryOp::MulScalar: {
      const T c = static_cast<T>(p0);
      map1(x, out, n, [c](T v) { return v * c; });
      break;
    }
    case UnaryOp::ReluMask: map1(x, out, n, [](T v) { return v > T(0) ? T(1) : T(0); }); break;
    case UnaryOp::Clamp: {
      const T lo = static_cast<T>(p0), hi = static_cast<T>(p1);
      map1(x, out, n, [lo, hi](T v) {
        const T r = v < lo ? lo : v;
        return r > hi ? hi : r;
      });
      break;
    }
    case UnaryOp::Reciprocal: map1(x, out, n, [](T v) { return T(1) / v; }); break;
    case UnaryOp::Square: map1(x, out, n, [](T v) { return v * v; }); break;
    case UnaryOp::Sign: map1(x, out, n, [](T v) { return v > T(0) ? T(1) : (v < T(0) ? T(-1) : v); }); break;
    case UnaryOp::ClampMask:
      map1(x, out, n, [p0, p1](T v) { return static_cast<D>(v) >= p0 && static_cast<D>(v) <= p1 ? T(1) : T(0); });
      break;
    case UnaryOp::Rsqrt:
      via_double(x, out, n, [](D* v, int64_t m) {
        sqrt_loop(v, v, m);
        for (int64_t i = 0; i < m; ++i) v[i] = 1.0 / v[i];
      });
      break;
    case UnaryOp::Log1p: map_d(x, out, n, [](D v) { return log1p_d(v); }); break;
    case UnaryOp::Expm1: map_d(x, out, n, [](D v) { return expm1_d(v); }); break;
    case UnaryOp::Softplus:
      map_d(x, out, n, [p0, p1](D v) {
        const D b = v * p0;
        return b > p1 ? v : log1p_d(exp_d(b)) / p0;
      });
      break;
    case UnaryOp::SoftplusMask:
      map1(x, out, n, [p0, p1](T v) { return static_cast<D>(v) * p0 > p1 ? T(1) : T(0); });
      break;
    case UnaryOp::LeakyRelu:
      map1(x, out, n, [p0](T v) { return v > T(0) ? v : static_cast<T>(static_cast<D>(v) * p0); });
      break;
    case UnaryOp::LeakyReluGrad: {
      const T slope = static_cast<T>(p0);
      map1(x, out, n, [slope](T v) { return v > T(0) ? T(1) : (v != v ? v : slope); });
      break;
    }
    case UnaryOp::Elu: map_d(x, out, n, [p0](D v) { return v > 0.0 ? v : p0 * expm1_d(v); }); break;
    case UnaryOp::GeluTanh:
      map_d(x, out, n, [](D v) {
        constexpr D k = 0.7978845608028654, c = 0.044715;  // sqrt(2/pi), as in PyTorch's approximate='tanh'
        return 0.5 * v * (1.0 + tanh_d(k * (v + c * v * v * v)));
      });
      break;
    case UnaryOp::Silu: map_d(x, out, n, [](D v) { return v / (1.0 + exp_d(-v)); }); break;
    // Φ(x) = ½·erfc(−x/√2): erfc keeps the lower tail accurate where ½·(1 + erf) would cancel.
    case UnaryOp::Gelu: map_blocks(x, out, n, [](D v) { return 0.5 * v * erfc_d(-v * 0.7071067811865476); }); break;
    case UnaryOp::GeluGrad:
      map_blocks(x, out, n, [](D v) {
        const D phi = 0.3989422804014327 * exp_d(-0.5 * v * v);
        return 0.5 * erfc_d(-v * 0.7071067811865476) + v * phi;
      });
      break;
    case UnaryOp::Count: break;
  }
}

// ---- binary -----------------------------------------------------------------------------------------
// One row of out; the three common stride patterns get their own loops so they vectorise.
template <typename T, typename F>
inline void row(const T* a, int64_t sa, const T* b, int64_t sb, T* out, int64_t n, F f) {
  if (sa == 1 && sb == 1) {
#pragma GCC ivdep
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const T bv = *b;
#pragma GCC ivdep
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const T av = *a;
#pragma GCC ivdep
    for (int64_t i = 0; i < n; ++i) out[i] = f(av, b[i]);
  } else {
#pragma GCC ivdep
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i * sa], b[i * sb]);
  }
}

template <typename T>
void binary_row(int op, const T* a, int64_t sa, const T* b, int64_t sb, T* out, int64_t n) {
  switch (static_cast<BinaryOp>(op)) {
    case BinaryOp::Add: row(a, sa, b, sb, out, n, [](T u, T v) { return u + v; }); break;
    case BinaryOp::Sub: row(a, sa, b, sb, out, n, [](T u, T v) { return u - v; }); break;
    case BinaryOp::Mul: row(a, sa, b, sb, out, n, [](T u, T v) { return u * v; }); break;
    case BinaryOp::Div: row(a, sa, b, sb, out, n, [](T u, T v) { return u / v; }); break;
    case BinaryOp::Pow:
      if (sb == 0 && (*b == T(2) || *b == T(1) || *b == T(0))) {  // common exponents, vectorised
        const T e = *b;
        row(a, sa, b, sb, out, n, [e](T u, T) { return e == T(2) ? u * u : (e == T(1) ? u : T(1)); });
      } else {
        for (int64_t i = 0; i < n; ++i)
          out[i] = static_cast<T>(__builtin_pow(static_cast<double>(a[i * sa]), static_cast<double>(b[i * sb])));
      }
      break;
    case BinaryOp::Maximum:
      row(a, sa, b, sb, out, n, [](T u, T v) {
        const T r = u > v ? u : v;  // v when v is NaN
        return u != u ? u : r;
      });
      break;
    case BinaryOp::Minimum:
      row(a, sa, b, sb, out, n, [](T u, T v) {
        const T r = u < v ? u : v;
        return u != u ? u : r;
      });
      break;
    case BinaryOp::Count: break;
  }
}

// ---- reductions -------------------------------------------------------------------------------------
// FP adds are not reassociated by the compiler, so the contiguous reductions keep kLanes independent
// accumulators (vector registers after SLP vectorisation) and combine them pairwise at the end.
constexpr int kLanes = 32;
constexpr int64_t kPairwiseBlock = 4096;

template <typename T>
double sum_block(const T* x, int64_t n) {
  double acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] += static_cast<double>(x[i + j]);
  double tail = 0.0;
  for (; i < n; ++i) tail += static_cast<double>(x[i]);
  for (int w = kLanes / 2; w > 0; w /= 2)
    for (int j = 0; j < w; ++j) acc[j] += acc[j + w];
  return acc[0] + tail;
}

// Pairwise over blocks: error grows with log(n / kPairwiseBlock), not n.
template <typename T>
double sum_pairwise(const T* x, int64_t n) {
  if (n <= kPairwiseBlock) return sum_block(x, n);
  const int64_t h = (n / 2 + kLanes - 1) / kLanes * kLanes;
  return sum_pairwise(x, h) + sum_pairwise(x + h, n - h);
}

template <typename T>
struct SameSizeUint;
template <>
struct SameSizeUint<float> {
  using type = uint32_t;
};
template <>
struct SameSizeUint<double> {
  using type = uint64_t;
};

// max/min as plain compares (vmaxps-style, short dependency chains) plus a separate "NaN seen" flag
// per lane; any NaN makes the result NaN.
template <typename T, bool kMax>
double extremum_contig(const T* x, int64_t n) {
  using U = typename SameSizeUint<T>::type;
  const T init = kMax ? -static_cast<T>(kInf) : static_cast<T>(kInf);
  T acc[kLanes];
  U nan[kLanes];
  for (int j = 0; j < kLanes; ++j) {
    acc[j] = init;
    nan[j] = 0;
  }
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) {
      const T v = x[i + j];
      acc[j] = (kMax ? v > acc[j] : v < acc[j]) ? v : acc[j];
      nan[j] |= static_cast<U>(v != v);
    }
  T r = init;
  U any_nan = 0;
  for (; i < n; ++i) {
    const T v = x[i];
    r = (kMax ? v > r : v < r) ? v : r;
    any_nan |= static_cast<U>(v != v);
  }
  for (int j = 0; j < kLanes; ++j) {
    r = (kMax ? acc[j] > r : acc[j] < r) ? acc[j] : r;
    any_nan |= nan[j];
  }
  return any_nan ? __builtin_nan("") : static_cast<double>(r);
}

template <typename T>
double prod_contig(const T* x, int64_t n) {
  double acc[kLanes];
  for (int j = 0; j < kLanes; ++j) acc[j] = 1.0;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] *= static_cast<double>(x[i + j]);
  double r = 1.0;
  for (; i < n; ++i) r *= static_cast<double>(x[i]);
  for (int j = 0; j < kLanes; ++j) r *= acc[j];
  return r;
}

template <typename T>
double reduce_contig(int op, const T* x, int64_t n) {
  switch (static_cast<ReduceOp>(op)) {
    case ReduceOp::Sum:
    case ReduceOp::Mean: return sum_pairwise(x, n);
    case ReduceOp::Max: return extremum_contig<T, true>(x, n);
    case ReduceOp::Min: return extremum_contig<T, false>(x, n);
    case ReduceOp::Prod: return prod_contig(x, n);
    case ReduceOp::Count: break;
  }
  return 0.0;
}

template <typename T, typename F>
inline void many(const T* x, int64_t rows, int64_t n, double* out, F f) {
  for (int64_t r = 0; r < rows; ++r) out[r] = f(x + r * n, n);
}

template <typename T>
void reduce_many(int op, const T* x, int64_t rows, int64_t n, double* out) {
  switch (static_cast<ReduceOp>(op)) {
    case ReduceOp::Sum:
    case ReduceOp::Mean: many(x, rows, n, out, [](const T* p, int64_t m) { return sum_pairwise(p, m); }); break;
    case ReduceOp::Max:
      many(x, rows, n, out, [](const T* p, int64_t m) { return extremum_contig<T, true>(p, m); });
      break;
    case ReduceOp::Min:
      many(x, rows, n, out, [](const T* p, int64_t m) { return extremum_contig<T, false>(p, m); });
      break;
    case ReduceOp::Prod: many(x, rows, n, out, [](const T* p, int64_t m) { return prod_contig(p, m); }); break;
    case ReduceOp::Count: break;
  }
}

// Rows of k <= kRowChunk elements combined into acc. Sums are blocked: 64 rows at a time into a
// local buffer, then into acc, so the error grows with r/64 + 64 rather than r.
template <typename T>
void reduce_rows(int op, const T* x, int64_t r, int64_t k, int64_t rs, double* acc) {
  switch (static_cast<ReduceOp>(op)) {
    case ReduceOp::Sum:
    case ReduceOp::Mean: {
      double tmp[kRowChunk];
      for (int64_t i0 = 0; i0 < r; i0 += 64) {
        const int64_t i1 = r - i0 < 64 ? r : i0 + 64;
        for (int64_t j = 0; j < k; ++j) tmp[j] = 0.0;
        for (int64_t i = i0; i < i1; ++i) {
          const T* xr = x + i * rs;
          for (int64_t j = 0; j < k; ++j) tmp[j] += static_cast<double>(xr[j]);
        }
        for (int64_t j = 0; j < k; ++j) acc[j] += tmp[j];
      }
      break;
    }
    case ReduceOp::Max:
      for (int64_t i = 0; i < r; ++i) {
        const T* xr = x + i * rs;
        for (int64_t j = 0; j < k; ++j) {
          const double v = static_cast<double>(xr[j]);
          acc[j] = (v > acc[j] || v != v) ? v : acc[j];
        }
      }
      break;
    case ReduceOp::Min:
      for (int64_t i = 0; i < r; ++i) {
        const T* xr = x + i * rs;
        for (int64_t j = 0; j < k; ++j) {
          const double v = static_cast<double>(xr[j]);
          acc[j] = (v < acc[j] || v != v) ? v : acc[j];
        }
      }
      break;
    case ReduceOp::Prod:
      for (int64_t i = 0; i < r; ++i) {
        const T* xr = x + i * rs;
        for (int64_t j = 0; j < k; ++j) acc[j] *= static_cast<double>(xr[j]);
      }
      break;
    case ReduceOp::Count: break;
  }
}

// The table for the TU that includes this file.
template <typename T>
constexpr KernelsOf<T> kernels_of() {
  return KernelsOf<T>{&unary<T>, &binary_row<T>, &reduce_contig<T>, &reduce_many<T>, &reduce_rows<T>};
}

}  // namespace
}  // namespace ops
}  // namespace tapegrad

// Defines the ISA's table getter, e.g. TAPEGRAD_DEFINE_KERNEL_TABLE(kernel_table_avx2).
#define TAPEGRAD_DEFINE_KERNEL_TABLE(getter)                                       \
  namespace tapegrad {                                                             \
  namespace ops {                                                                  \
  const KernelTable* getter() noexcept {                                           \
    static constexpr KernelTable table{kernels_of<float>(), kernels_of<double>()}; \
    return &table;                                                                 \
  }                                                                                \
  }                                                                                \
  }

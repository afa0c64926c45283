// Elementwise kernels vs a naive double reference, float32 and float64, on every ISA the host has.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "check.h"
#include "tapegrad/cpu.h"
#include "tapegrad/elementwise.h"
#include "tapegrad/threads.h"
#include "test_util.h"

using namespace tapegrad;
using namespace test_util;

namespace {

const int64_t kSizes[] = {0, 1, 7, 15, 16, 17, 1000, 100003};

// Runs f once per ISA the host supports (forced via force_isa), then restores the hardware level.

// Distance in units in the last place (monotone integer map of the bit patterns); NaN == NaN.
int64_t ulp_diff(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : INT64_MAX;
  if (a == b) return 0;
  auto key = [](double v) {
    int64_t i;
    std::memcpy(&i, &v, 8);
    return i < 0 ? INT64_MIN - i : i;
  };
  const int64_t d = key(a) - key(b);
  return d < 0 ? -d : d;
}
int64_t ulp_diff(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : INT64_MAX;
  if (a == b) return 0;
  auto key = [](float v) {
    int32_t i;
    std::memcpy(&i, &v, 4);
    return i < 0 ? int64_t{INT32_MIN} - i : int64_t{i};
  };
  const int64_t d = key(a) - key(b);
  return d < 0 ? -d : d;
}

double ref_unary(UnaryOp op, double x, double p0, double p1) {
  switch (op) {
    case UnaryOp::Neg: return -x;
    // The transcendentals against long double (x87) libm: within 2 ulp of the exact result is the claim.
    // (glibc's own double tanh is 2 ulp from exact, so ours may be 3 from std::tanh.)
    case UnaryOp::Exp: return static_cast<double>(expl(x));
    case UnaryOp::Log: return static_cast<double>(logl(x));
    case UnaryOp::Sqrt: return std::sqrt(x);
    case UnaryOp::Sin: return static_cast<double>(sinl(x));
    case UnaryOp::Cos: return static_cast<double>(cosl(x));
    case UnaryOp::Tanh: return static_cast<double>(tanhl(x));
    case UnaryOp::Sigmoid: return static_cast<double>(1.0L / (1.0L + expl(-static_cast<long double>(x))));
    case UnaryOp::Relu: return std::isnan(x) ? x : (x > 0 ? x : 0.0);
    case UnaryOp::Abs: return std::fabs(x);
    case UnaryOp::PowScalar: return std::pow(x, p0);
    case UnaryOp::AddScalar: return x + p0;
    case UnaryOp::MulScalar: return x * p0;
    case UnaryOp::ReluMask: return x > 0 ? 1.0 : 0.0;
    case UnaryOp::Clamp: return std::isnan(x) ? x : std::min(std::max(x, p0), p1);
    case UnaryOp::Reciprocal: return 1.0 / x;
    case UnaryOp::Square: return x * x;
    case UnaryOp::Sign: return x > 0 ? 1.0 : (x < 0 ? -1.0 : x);
    case UnaryOp::ClampMask: return x >= p0 && x <= p1 ? 1.0 : 0.0;
    case UnaryOp::Rsqrt: return static_cast<double>(1.0L / sqrtl(x));
    case UnaryOp::Log1p: return static_cast<double>(log1pl(x));
    case UnaryOp::Expm1: return static_cast<double>(expm1l(x));
    case UnaryOp::Softplus: {
      const long double b = static_cast<long double>(x) * p0;
      return b > p1 ? x : static_cast<double>(log1pl(expl(b)) / p0);
    }
    case UnaryOp::SoftplusMask: return x * p0 > p1 ? 1.0 : 0.0;
    case UnaryOp::LeakyRelu: return x > 0 ? x : x * p0;
    case UnaryOp::LeakyReluGrad: return x > 0 ? 1.0 : (std::isnan(x) ? x : p0);
    case UnaryOp::Elu: return x > 0 ? x : static_cast<double>(p0 * expm1l(x));
    case UnaryOp::GeluTanh: {
      const long double v = x, k = 0.7978845608028654L, c = 0.044715L;
      return static_cast<double>(0.5L * v * (1.0L + tanhl(k * (v + c * v * v * v))));
    }
    case UnaryOp::Silu: return static_cast<double>(x / (1.0L + expl(-static_cast<long double>(x))));
    case UnaryOp::Gelu: {
      const long double v = x;
      return static_cast<double>(0.5L * v * erfcl(-v / sqrtl(2.0L)));
    }
    case UnaryOp::GeluGrad: {
      const long double v = x;
      return static_cast<double>(0.5L * erfcl(-v / sqrtl(2.0L)) +
                                 v * expl(-0.5L * v * v) / sqrtl(2.0L * 3.14159265358979323846L));
    }
    case UnaryOp::Count: break;
  }
  return kNaN;
}

bool transcendental(UnaryOp op) {
  return op == UnaryOp::Exp || op == UnaryOp::Log || op == UnaryOp::Sin || op == UnaryOp::Cos || op == UnaryOp::Tanh ||
         op == UnaryOp::Sigmoid || op == UnaryOp::PowScalar || op == UnaryOp::Rsqrt || op == UnaryOp::Log1p ||
         op == UnaryOp::Expm1;
}
// Formulas built from several functions: checked to a few ulp of the result plus an absolute term
// for their inherent cancellation (gelu's 1 + tanh(.) near −1), |x|·2^-51.
bool composite(UnaryOp op) {
  return op == UnaryOp::Softplus || op == UnaryOp::Elu || op == UnaryOp::GeluTanh || op == UnaryOp::Silu ||
         op == UnaryOp::Gelu || op == UnaryOp::GeluGrad;
}

// Inputs for op: mostly its natural range, plus special values at the front.
std::vector<double> inputs(UnaryOp op, int64_t n, uint64_t seed) {
  Lcg g{seed};
  double lo = -10, hi = 10;
  if (op == UnaryOp::Exp) lo = -750, hi = 750;
  if (op == UnaryOp::Log) lo = 0, hi = 1e6;
  if (op == UnaryOp::Sin || op == UnaryOp::Cos) lo = -100, hi = 100;
  if (op == UnaryOp::Tanh || op == UnaryOp::Sigmoid || op == UnaryOp::Softplus || op == UnaryOp::Silu ||
      op == UnaryOp::GeluTanh || op == UnaryOp::Elu || op == UnaryOp::Gelu || op == UnaryOp::GeluGrad)
    lo = -30, hi = 30;
  if (op == UnaryOp::Log1p) lo = -1, hi = 1000;
  if (op == UnaryOp::Expm1) lo = -50, hi = 50;
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) {
    const double u = g.next(0, 1);
    // a third of the values small (where cancellation would show), the rest over the range
    v[i] = i % 3 == 0 ? g.next(-1, 1) * std::pow(2.0, -30 * u) : g.next(lo, hi);
  }
  const double specials[] = {0.0,    -0.0,   kNaN, kInf,  -kInf, 1.0,  -1.0,  0.5,     1e-310, -1e-310, 709.7, 710.0,
                             -745.0, -746.0, 1e-8, 3.0e5, 6.0e5, 1e22, 1e300, 0.54999, 0.55,   22.0,    1e-300};
  for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]) && static_cast<int64_t>(i) < n; ++i) v[i] = specials[i];
  return v;
}

template <typename T>
int64_t check_unary(UnaryOp op, int64_t n, double p0, double p1, bool in_place, uint64_t seed) {
  const std::vector<double> xd = inputs(op, n, seed);
  std::vector<T> x(xd.begin(), xd.end()), out(n, T(-12345));
  T* dst = in_place ? x.data() : out.data();
  const std::vector<T> x0 = x;
  if (sizeof(T) == 4) unary_f32(op, reinterpret_cast<const float*>(x.data()), reinterpret_cast<float*>(dst), n, p0, p1);
  else unary_f64(op, reinterpret_cast<const double*>(x.data()), reinterpret_cast<double*>(dst), n, p0, p1);
  // f32: the params as the kernel sees them for the cheap ops (rounded to float), exact otherwise.
  const bool cheap_param = op == UnaryOp::AddScalar || op == UnaryOp::MulScalar || op == UnaryOp::Clamp;
  const double q0 = sizeof(T) == 4 && cheap_param ? static_cast<float>(p0) : p0;
  const double q1 = sizeof(T) == 4 && cheap_param ? static_cast<float>(p1) : p1;
  const int64_t tol = transcendental(op) ? (sizeof(T) == 4 ? 1 : 2) : 0;
  int64_t worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    const T want = static_cast<T>(ref_unary(op, static_cast<double>(x0[i]), q0, q1));
    const T got = dst[i];
    const int64_t d = ulp_diff(got, want);
    const bool comp_ok =
        composite(op) && std::fabs(static_cast<double>(got) - static_cast<double>(want)) <=
                             (sizeof(T) == 4 ? 0x1p-22 : 0x1p-50) * std::fabs(static_cast<double>(want)) +
                                 0x1p-51 * std::fabs(static_cast<double>(x0[i]));
    if (d > worst && !comp_ok) worst = d;
    if (d > tol && !comp_ok) {
      char msg[256];
      std::snprintf(msg, sizeof msg, "%s %s n=%lld x=%.17g: got %.17g want %.17g (%lld ulp)", unary_op_name(op),
                    sizeof(T) == 4 ? "f32" : "f64", static_cast<long long>(n), static_cast<double>(x0[i]),
                    static_cast<double>(got), static_cast<double>(want), static_cast<long long>(d));
      ::check::fail(__FILE__, __LINE__, msg);
      return worst;
    }
  }
  if (!in_place)
    for (int64_t i = 0; i < n; ++i) CHECK(ulp_diff(x[i], x0[i]) == 0);  // input untouched
  return worst;
}

const double kPowExps[] = {0.0, 1.0, 2.0, -1.0, 0.5, 3.0, -2.5, 1.0 / 3.0, 0.25};

}  // namespace

TEST(op_names) {
  CHECK(std::string(unary_op_name(UnaryOp::Neg)) == "neg");
  CHECK(std::string(unary_op_name(UnaryOp::PowScalar)) == "powScalar");
  CHECK(std::string(unary_op_name(UnaryOp::ReluMask)) == "reluMask");
  CHECK(std::string(unary_op_name(UnaryOp::Count)).empty());
  CHECK(std::string(binary_op_name(BinaryOp::Maximum)) == "maximum");
  CHECK(std::string(binary_op_name(static_cast<BinaryOp>(-1))).empty());
  for (int i = 0; i < static_cast<int>(UnaryOp::Count); ++i) CHECK(*unary_op_name(static_cast<UnaryOp>(i)) != 0);
}

TEST(unary_all_ops_sizes_isas) {
  for_each_isa([](Isa isa) {
    for (int o = 0; o < static_cast<int>(UnaryOp::Count); ++o) {
      const UnaryOp op = static_cast<UnaryOp>(o);
      int64_t worst32 = 0, worst64 = 0;
      for (int64_t n : kSizes) {
        for (int in_place = 0; in_place < 2; ++in_place) {
          if (op == UnaryOp::PowScalar) {
            for (double p : kPowExps) {
              worst32 = std::max(worst32, check_unary<float>(op, n, p, 0, in_place, 7 + n));
              worst64 = std::max(worst64, check_unary<double>(op, n, p, 0, in_place, 7 + n));
            }
          } else {
            const bool bounds = op == UnaryOp::Clamp || op == UnaryOp::ClampMask;
            const bool softplus = op == UnaryOp::Softplus || op == UnaryOp::SoftplusMask;
            const double p0 = bounds ? -0.3 : 1.7, p1 = bounds ? 2.1 : softplus ? 20.0 : 0.0;
            worst32 = std::max(worst32, check_unary<float>(op, n, p0, p1, in_place, 7 + n));
            worst64 = std::max(worst64, check_unary<double>(op, n, p0, p1, in_place, 7 + n));
          }
        }
      }
      if (transcendental(op) || composite(op))
        std::printf("  %-7s %-10s max error: f32 %lld ulp, f64 %lld ulp\n", isa_name(isa), unary_op_name(op),
                    static_cast<long long>(worst32), static_cast<long long>(worst64));
    }
  });
}

TEST(unary_edge_cases) {
  for_each_isa([](Isa) {
    // clamp with lo > hi gives hi; an unbounded side
    double x[3] = {-5, 0.5, 5}, out[3];
    unary_f64(UnaryOp::Clamp, x, out, 3, 2.0, 1.0);
    CHECK(out[0] == 1.0 && out[1] == 1.0 && out[2] == 1.0);
    unary_f64(UnaryOp::Clamp, x, out, 3, 0.0, kInf);
    CHECK(out[0] == 0.0 && out[1] == 0.5 && out[2] == 5.0);
    // pow conventions
    double px[4] = {-8.0, kNaN, -0.0, -kInf}, po[4];
    unary_f64(UnaryOp::PowScalar, px, po, 4, 1.0 / 3.0, 0);
    CHECK(std::isnan(po[0]) && std::isnan(po[1]));
    unary_f64(UnaryOp::PowScalar, px, po, 4, 0.0, 0);
    CHECK(po[0] == 1.0 && po[1] == 1.0 && po[2] == 1.0 && po[3] == 1.0);
    unary_f64(UnaryOp::PowScalar, px, po, 4, 0.5, 0);
    CHECK(std::isnan(po[0]) && po[2] == 0.0 && !std::signbit(po[2]) && po[3] == kInf);
    // sin keeps the sign of zero; huge arguments go through libm
    double sx[3] = {-0.0, 1e300, -3e6}, so[3];
    unary_f64(UnaryOp::Sin, sx, so, 3, 0, 0);
    CHECK(so[0] == 0.0 && std::signbit(so[0]));
    CHECK(so[1] == std::sin(1e300) && so[2] == std::sin(-3e6));
    // exp at the edges: overflow, subnormal results, underflow
    double ex[4] = {709.78, 709.79, -740.0, -745.2}, eo[4];
    unary_f64(UnaryOp::Exp, ex, eo, 4, 0, 0);
    CHECK(ulp_diff(eo[0], std::exp(709.78)) <= 1 && eo[1] == kInf);
    CHECK(ulp_diff(eo[2], std::exp(-740.0)) <= 1 && eo[3] == 0.0);
  });
}

// Dense accuracy sweep of the transcendentals over their useful ranges (f64 ≤ 2 ulp from exact, f32 ≤ 1 ulp
// from the correctly rounded float).
TEST(transcendental_sweep) {
  const struct {
    UnaryOp op;
    double lo, hi;
  } ranges[] = {{UnaryOp::Exp, -20, 20},       {UnaryOp::Exp, -745, 709.7}, {UnaryOp::Log, 1e-3, 10},
                {UnaryOp::Log, 0.5, 2},        {UnaryOp::Sin, -10, 10},     {UnaryOp::Sin, -4e5, 4e5},
                {UnaryOp::Cos, -10, 10},       {UnaryOp::Cos, -4e5, 4e5},   {UnaryOp::Tanh, -1.5, 1.5},
                {UnaryOp::Tanh, -20, 20},      {UnaryOp::Sigmoid, -40, 40}, {UnaryOp::Log1p, -0.9, 0.9},
                {UnaryOp::Log1p, -1e-6, 1e-6}, {UnaryOp::Log1p, 0, 1e10},   {UnaryOp::Expm1, -1.2, 1.2},
                {UnaryOp::Expm1, -1e-6, 1e-6}, {UnaryOp::Expm1, -700, 700}, {UnaryOp::Rsqrt, 0, 1e6}};
  for_each_isa([&](Isa isa) {
    for (const auto& r : ranges) {
      const int64_t n = 200000;
      std::vector<double> x(n), o(n);
      Lcg g{99};
      for (int64_t i = 0; i < n; ++i) x[i] = g.next(r.lo, r.hi);
      unary_f64(r.op, x.data(), o.data(), n, 0, 0);
      std::vector<float> xf(x.begin(), x.end()), of(n);
      unary_f32(r.op, xf.data(), of.data(), n, 0, 0);
      int64_t w64 = 0, w32 = 0;
      for (int64_t i = 0; i < n; ++i) {
        w64 = std::max(w64, ulp_diff(o[i], ref_unary(r.op, x[i], 0, 0)));
        w32 = std::max(w32, ulp_diff(of[i], static_cast<float>(ref_unary(r.op, xf[i], 0, 0))));
      }
      std::printf("  %-7s %-8s [%g, %g]: f64 %lld ulp, f32 %lld ulp\n", isa_name(isa), unary_op_name(r.op), r.lo, r.hi,
                  static_cast<long long>(w64), static_cast<long long>(w32));
      CHECK(w64 <= 2);
      CHECK(w32 <= 1);
    }
  });
}

// ---- binary -----------------------------------------------------------------------------------------

namespace {

double ref_binary(BinaryOp op, double a, double b) {
  switch (op) {
    case BinaryOp::Add: return a + b;
    case BinaryOp::Sub: return a - b;
    case BinaryOp::Mul: return a * b;
    case BinaryOp::Div: return a / b;
    case BinaryOp::Pow: return std::pow(a, b);
    case BinaryOp::Maximum: return std::isnan(a) || std::isnan(b) ? kNaN : std::max(a, b);
    case BinaryOp::Minimum: return std::isnan(a) || std::isnan(b) ? kNaN : std::min(a, b);
    case BinaryOp::Count: break;
  }
  return kNaN;
}

// A broadcasting case: out shape, and each operand's own shape (same ndim, 1 = broadcast).
struct Case {
  std::vector<int64_t> out, ashape, bshape;
};

std::vector<int64_t> strides_of(const std::vector<int64_t>& shape) {  // contiguous, 0 on size-1 dims
  std::vector<int64_t> s(shape.size());
  int64_t acc = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    s[d] = shape[d] == 1 ? 0 : acc;
    acc *= shape[d];
  }
  return s;
}
int64_t numel(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (int64_t v : s) n *= v;
  return n;
}

template <typename T>
void check_binary(BinaryOp op, const Case& c, int alias, uint64_t seed) {
  const int nd = static_cast<int>(c.out.size());
  const int64_t na = numel(c.ashape), nb = numel(c.bshape), no = numel(c.out);
  Lcg g{seed};
  std::vector<T> a(na), b(nb), out(no, T(-7));
  const bool pow_op = op == BinaryOp::Pow;
  for (auto& v : a) v = static_cast<T>(pow_op ? g.next(-3, 3) : g.next(-5, 5));
  for (auto& v : b) v = static_cast<T>(pow_op ? std::round(g.next(-3, 3) * 2) / 2 : g.next(-5, 5));
  if (na > 3) a[3] = static_cast<T>(kNaN);
  if (nb > 2) b[2] = static_cast<T>(kNaN);
  if (nb > 5) b[5] = T(0);
  const std::vector<T> a0 = a, b0 = b;
  const std::vector<int64_t> as = strides_of(c.ashape), bs = strides_of(c.bshape);
  T* dst = alias == 1 ? a.data() : alias == 2 ? b.data() : out.data();
  if (sizeof(T) == 4)
    binary_f32(op, nd, c.out.data(), reinterpret_cast<const float*>(a.data()), as.data(),
               reinterpret_cast<const float*>(b.data()), bs.data(), reinterpret_cast<float*>(dst));
  else
    binary_f64(op, nd, c.out.data(), reinterpret_cast<const double*>(a.data()), as.data(),
               reinterpret_cast<const double*>(b.data()), bs.data(), reinterpret_cast<double*>(dst));
  std::vector<int64_t> idx(nd, 0);
  for (int64_t i = 0; i < no; ++i) {
    int64_t ia = 0, ib = 0;
    for (int d = 0; d < nd; ++d) {
      ia += idx[d] * as[d];
      ib += idx[d] * bs[d];
    }
    const T want = static_cast<T>(ref_binary(op, static_cast<double>(a0[ia]), static_cast<double>(b0[ib])));
    // f64 pow by 2 is computed as x·x, which can differ from std::pow's (not always exact) result
    if (ulp_diff(dst[i], want) > (op == BinaryOp::Pow && sizeof(T) == 8 ? 1 : 0)) {
      char msg[200];
      std::snprintf(msg, sizeof msg, "%s %s ndim=%d elem %lld: got %.9g want %.9g", binary_op_name(op),
                    sizeof(T) == 4 ? "f32" : "f64", nd, static_cast<long long>(i), static_cast<double>(dst[i]),
                    static_cast<double>(want));
      ::check::fail(__FILE__, __LINE__, msg);
      return;
    }
    for (int d = nd - 1; d >= 0; --d) {
      if (++idx[d] < c.out[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace

TEST(binary_broadcasting) {
  std::vector<Case> cases;
  for (int64_t n : kSizes) cases.push_back({{n}, {n}, {n}});       // same shape
  for (int64_t n : kSizes) cases.push_back({{n}, {n}, {1}});       // scalar b
  for (int64_t n : kSizes) cases.push_back({{n}, {1}, {n}});       // scalar a
  cases.push_back({{}, {}, {}});                                   // 0-d
  cases.push_back({{37, 129}, {37, 129}, {1, 129}});               // row
  cases.push_back({{37, 129}, {37, 129}, {37, 1}});                // column
  cases.push_back({{37, 129}, {37, 1}, {1, 129}});                 // outer product
  cases.push_back({{5, 7, 33}, {5, 7, 33}, {5, 1, 33}});           // middle dim
  cases.push_back({{3, 4, 5, 6}, {3, 1, 5, 1}, {1, 4, 1, 6}});     // 4-d both broadcast
  cases.push_back({{2, 3, 1, 17}, {2, 3, 1, 17}, {1, 1, 1, 17}});  // size-1 dim in out
  cases.push_back({{300, 1000}, {300, 1000}, {1, 1000}});          // large: parallel path
  cases.push_back({{40000, 3}, {40000, 3}, {1, 3}});               // short rows, batched
  cases.push_back({{40000, 3}, {40000, 1}, {40000, 3}});           // short rows, column
  cases.push_back({{7, 5000, 3}, {1, 5000, 3}, {7, 1, 3}});        // batched across an outer dim
  cases.push_back({{3, 4, 5, 6}, {3, 4, 5, 6}, {3, 4, 1, 1}});     // rows of 30 after merging
  cases.push_back({{3, 0, 4}, {3, 0, 4}, {1, 1, 4}});              // empty
  std::vector<int64_t> s16(16, 2), s16b(16, 2);
  s16b[3] = 1;
  s16b[15] = 1;
  cases.push_back({s16, s16, s16b});  // 16 dims
  for_each_isa([&](Isa) {
    for (int o = 0; o < static_cast<int>(BinaryOp::Count); ++o)
      for (size_t ci = 0; ci < cases.size(); ++ci) {
        check_binary<float>(static_cast<BinaryOp>(o), cases[ci], 0, ci + 1);
        check_binary<double>(static_cast<BinaryOp>(o), cases[ci], 0, ci + 1);
      }
  });
}

TEST(binary_in_place) {
  for_each_isa([](Isa) {
    for (int o = 0; o < static_cast<int>(BinaryOp::Count); ++o) {
      const BinaryOp op = static_cast<BinaryOp>(o);
      check_binary<float>(op, {{100003}, {100003}, {100003}}, 1, 3);
      check_binary<double>(op, {{100003}, {100003}, {100003}}, 2, 3);
      check_binary<float>(op, {{37, 129}, {37, 129}, {1, 129}}, 1, 4);  // out = a, b broadcast
      check_binary<double>(op, {{37, 129}, {37, 1}, {37, 129}}, 2, 4);  // out = b, a broadcast
    }
  });
}

TEST(threads_do_not_change_results) {
  const int before = get_num_threads();
  set_num_threads(2);
  std::vector<double> x(300001), a(300001), b(300001);
  Lcg g{5};
  for (auto& v : x) v = g.next(-3, 3);
  unary_f64(UnaryOp::Tanh, x.data(), a.data(), 300001, 0, 0);
  set_num_threads(1);
  unary_f64(UnaryOp::Tanh, x.data(), b.data(), 300001, 0, 0);
  CHECK(a == b);
  set_num_threads(before);
}

// A blocked program gives the bits of its steps run one by one: unary and binary steps, a broadcast
// scalar, an in-place step, lengths around the block size and the threading threshold, every ISA, 1 and 2
// threads.
TEST(elementwise_program_matches_separate_calls) {
  const int saved = get_num_threads();
  for_each_isa([&](Isa) {
    for (int threads : {1, 2})
      for (int64_t n : {int64_t{1}, int64_t{17}, int64_t{1024}, int64_t{1500}, int64_t{70000}}) {
        set_num_threads(threads);
        Lcg g{static_cast<uint64_t>(n) * 7 + 1};
        std::vector<float> x(n), y(n), s1(1, 0.75f);
        for (int64_t i = 0; i < n; ++i) {
          x[i] = static_cast<float>(g.next(-4, 4));
          y[i] = static_cast<float>(g.next(-4, 4));
        }
        // t1 = sin(x); t2 = t1 · y; t2 = t2 + s; t3 = exp(t2), with t2 updated in place.
        std::vector<float> a1(n), a2(n), a3(n), b1(n), b2(n), b3(n);
        const int64_t shape[1] = {n}, one[1] = {1}, zero[1] = {0};
        unary_f32(UnaryOp::Sin, x.data(), a1.data(), n, 0, 0);
        binary_f32(BinaryOp::Mul, 1, shape, a1.data(), one, y.data(), one, a2.data());
        binary_f32(BinaryOp::Add, 1, shape, a2.data(), one, s1.data(), zero, a2.data());
        unary_f32(UnaryOp::Exp, a2.data(), a3.data(), n, 0, 0);
        float* arrays[7] = {x.data(), y.data(), s1.data(), b1.data(), b2.data(), b3.data(), nullptr};
        const unsigned char scalar[7] = {0, 0, static_cast<unsigned char>(n != 1), 0, 0, 0, 0};
        const ElementwiseStep steps[4] = {{0, static_cast<int>(UnaryOp::Sin), 0, 0, 3, 0, 0},
                                          {1, static_cast<int>(BinaryOp::Mul), 3, 1, 4, 0, 0},
                                          {1, static_cast<int>(BinaryOp::Add), 4, 2, 4, 0, 0},
                                          {0, static_cast<int>(UnaryOp::Exp), 4, 4, 5, 0, 0}};
        elementwise_program_f32(n, steps, 4, arrays, scalar);
        CHECK(std::memcmp(a1.data(), b1.data(), sizeof(float) * n) == 0);
        CHECK(std::memcmp(a2.data(), b2.data(), sizeof(float) * n) == 0);
        CHECK(std::memcmp(a3.data(), b3.data(), sizeof(float) * n) == 0);
      }
  });
  set_num_threads(saved);
}

TEST_MAIN()

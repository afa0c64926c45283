// Softmax / log-softmax forward and backward vs a long-double reference: every (outer, n, inner) layout
// kind (inner 1, small, > one column block), float32 and float64, every ISA, one and two threads,
// inputs around ±1e4, ±inf and NaN rows.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <vector>

#include "check.h"
#include "tapegrad/cpu.h"
#include "tapegrad/softmax.h"
#include "tapegrad/threads.h"
#include "test_util.h"

using namespace tapegrad;
using namespace test_util;

namespace {

// Reference forward (and backward when g is given) in long double, straight from the definitions.
void reference(const std::vector<double>& x, const std::vector<double>* g, std::vector<double>& y,
               std::vector<double>& dx, int64_t outer, int64_t n, int64_t inner, bool log) {
  y.assign(x.size(), 0.0);
  dx.assign(x.size(), 0.0);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      auto at = [&](int64_t i) { return (o * n + i) * inner + j; };
      long double m = -INFINITY;
      for (int64_t i = 0; i < n; ++i) m = std::max(m, static_cast<long double>(x[at(i)]));
      long double s = 0;
      for (int64_t i = 0; i < n; ++i) s += std::exp(static_cast<long double>(x[at(i)]) - m);
      for (int64_t i = 0; i < n; ++i) {
        const long double p = std::exp(static_cast<long double>(x[at(i)]) - m) / s;
        y[at(i)] = static_cast<double>(log ? static_cast<long double>(x[at(i)]) - m - std::log(s) : p);
      }
      if (!g) continue;
      long double dot = 0, gs = 0;
      for (int64_t i = 0; i < n; ++i) {
        const long double p = std::exp(static_cast<long double>(x[at(i)]) - m) / s;
        dot += static_cast<long double>((*g)[at(i)]) * p;
        gs += (*g)[at(i)];
      }
      for (int64_t i = 0; i < n; ++i) {
        const long double p = std::exp(static_cast<long double>(x[at(i)]) - m) / s;
        const long double gi = (*g)[at(i)];
        dx[at(i)] = static_cast<double>(log ? gi - p * gs : p * (gi - dot));
      }
    }
}

template <typename T>
void run_forward(const T* x, T* y, int64_t o, int64_t n, int64_t i, bool log);
template <>
void run_forward(const float* x, float* y, int64_t o, int64_t n, int64_t i, bool log) {
  softmax_f32(x, y, o, n, i, log);
}
template <>
void run_forward(const double* x, double* y, int64_t o, int64_t n, int64_t i, bool log) {
  softmax_f64(x, y, o, n, i, log);
}
template <typename T>
void run_backward(const T* y, const T* g, T* dx, int64_t o, int64_t n, int64_t i, bool log);
template <>
void run_backward(const float* y, const float* g, float* dx, int64_t o, int64_t n, int64_t i, bool log) {
  softmax_backward_f32(y, g, dx, o, n, i, log);
}
template <>
void run_backward(const double* y, const double* g, double* dx, int64_t o, int64_t n, int64_t i, bool log) {
  softmax_backward_f64(y, g, dx, o, n, i, log);
}

template <typename T>
void check_layout(int64_t outer, int64_t n, int64_t inner, double shift, double scale, bool log) {
  const int64_t size = outer * n * inner;
  Lcg r{static_cast<uint64_t>(size * 131 + n)};
  std::vector<T> x(size), g(size), y(size), dx(size);
  for (int64_t i = 0; i < size; ++i) {
    x[i] = static_cast<T>(shift + scale * r.next(-1, 1));
    g[i] = static_cast<T>(r.next(-1, 1));
  }
  const std::vector<double> xd(x.begin(), x.end()), gd(g.begin(), g.end());
  std::vector<double> want_y, want_dx, unused;
  reference(xd, &gd, want_y, want_dx, outer, n, inner, log);
  run_forward<T>(x.data(), y.data(), outer, n, inner, log);
  // The backward reads the output as the kernel produced it; its reference uses the exact one, so the
  // tolerance covers y's rounding too.
  run_backward<T>(y.data(), g.data(), dx.data(), outer, n, inner, log);
  const bool f32 = sizeof(T) == 4;
  const double rtol = f32 ? 2e-6 : 1e-13, atol = f32 ? 1e-6 : 1e-14;
  int bad = 0;
  for (int64_t i = 0; i < size && bad < 3; ++i) {
    // logSoftmax values near 0 are differences of larger numbers: tolerance relative to |x − max|.
    const double yt = log ? atol + rtol * (std::fabs(want_y[i]) + 1.0 + std::fabs(shift) * (f32 ? 1.0 : 0.0))
                          : atol + rtol * std::fabs(want_y[i]);
    if (!(std::fabs(y[i] - want_y[i]) <= yt)) {
      ++bad;
      std::fprintf(stderr, "  forward %s (%lld,%lld,%lld) log=%d shift=%g: y[%lld] = %.17g, want %.17g\n",
                   f32 ? "f32" : "f64", (long long)outer, (long long)n, (long long)inner, log, shift, (long long)i,
                   static_cast<double>(y[i]), want_y[i]);
    }
    const double dt = (f32 ? 1e-5 : 1e-12) * (1.0 + std::fabs(want_dx[i]));
    if (!(std::fabs(dx[i] - want_dx[i]) <= dt)) {
      ++bad;
      std::fprintf(stderr, "  backward %s (%lld,%lld,%lld) log=%d: dx[%lld] = %.17g, want %.17g\n", f32 ? "f32" : "f64",
                   (long long)outer, (long long)n, (long long)inner, log, (long long)i, static_cast<double>(dx[i]),
                   want_dx[i]);
    }
  }
  CHECK(bad == 0);
}

const int64_t kLayouts[][3] = {{1, 1, 1},   {1, 7, 1},   {3, 10, 1},  {2, 1000, 1}, {4, 5, 3},    {2, 3, 17},
                               {3, 4, 256}, {2, 5, 257}, {1, 2, 700}, {64, 33, 1},  {5, 130, 40}, {300, 128, 1}};

}  // namespace

TEST(softmax_matches_reference_every_layout_and_isa) {
  for_each_isa([](Isa) {
    for (const auto& l : kLayouts)
      for (bool log : {false, true}) {
        check_layout<float>(l[0], l[1], l[2], 0.0, 4.0, log);
        check_layout<double>(l[0], l[1], l[2], 0.0, 4.0, log);
      }
  });
}

TEST(softmax_large_inputs_stay_finite) {
  for (double shift : {1e4, -1e4}) {
    for (bool log : {false, true}) {
      check_layout<double>(3, 10, 1, shift, 5.0, log);
      check_layout<double>(2, 6, 5, shift, 5.0, log);
      check_layout<float>(3, 10, 1, shift, 5.0, log);
    }
  }
  // [1e4, -1e4]: softmax [1, 0] exactly, logSoftmax [0, -2e4].
  const double x[2] = {1e4, -1e4};
  double y[2];
  softmax_f64(x, y, 1, 2, 1, false);
  CHECK(y[0] == 1.0 && y[1] == 0.0);
  softmax_f64(x, y, 1, 2, 1, true);
  CHECK(y[0] == 0.0 && y[1] == -2e4);
}

TEST(softmax_threads_agree) {
  const int before = get_num_threads();
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    check_layout<float>(512, 256, 1, 0.0, 3.0, false);
    check_layout<double>(16, 64, 300, 0.0, 3.0, true);
  }
  set_num_threads(before);
}

TEST(softmax_special_values) {
  // -inf entries get probability 0 (log: -inf); a +inf or NaN entry makes its row NaN (as PyTorch).
  const double x[6] = {-kInf, 0.0, 0.0, kInf, 1.0, kNaN};
  double y[6], ly[6];
  softmax_f64(x, y, 2, 3, 1, false);
  softmax_f64(x, ly, 2, 3, 1, true);
  CHECK(y[0] == 0.0 && y[1] == 0.5 && y[2] == 0.5);
  CHECK(ly[0] == -kInf);
  CHECK_CLOSE(ly[1], -std::log(2.0), 0, 1e-15);
  for (int i = 3; i < 6; ++i) CHECK(std::isnan(y[i]) && std::isnan(ly[i]));
  // The same along a strided dim (inner = 2): columns are independent.
  const double xc[6] = {-kInf, kNaN, 0.0, 1.0, 0.0, 2.0};
  double yc[6];
  softmax_f64(xc, yc, 1, 3, 2, false);
  CHECK(yc[0] == 0.0 && yc[2] == 0.5 && yc[4] == 0.5);
  CHECK(std::isnan(yc[1]) && std::isnan(yc[3]) && std::isnan(yc[5]));
  // Empty shapes touch nothing.
  softmax_f64(nullptr, nullptr, 0, 3, 1, false);
  softmax_backward_f32(nullptr, nullptr, nullptr, 2, 0, 4, true);
}

TEST_MAIN()

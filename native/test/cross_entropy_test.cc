// Fused cross-entropy forward/backward vs a naive double reference (explicit softmax, dense q),
// float32 and float64, index and probability targets, weights, ignore_index, label smoothing,
// extreme logits, and single- vs multi-threaded runs.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "check.h"
#include "tapegrad/loss.h"
#include "tapegrad/threads.h"
#include "test_util.h"

using namespace tapegrad;
using namespace test_util;

namespace {

struct Case {
  int64_t m, c;
  bool prob, weighted;
  double eps;
  double scale;  // logit magnitude
};

// Reference: q dense, log-softmax by max-shift in double.
void reference(const Case& k, const std::vector<double>& z, const std::vector<int32_t>& y, const std::vector<double>& t,
               const std::vector<double>& w, int64_t ignore, const std::vector<double>& r, int64_t r_stride,
               std::vector<double>& loss, std::vector<double>& dz) {
  loss.assign(k.m, 0);
  dz.assign(k.m * k.c, 0);
  for (int64_t i = 0; i < k.m; ++i) {
    std::vector<double> q(k.c, 0), logp(k.c);
    double mx = -INFINITY;
    for (int64_t j = 0; j < k.c; ++j) mx = std::max(mx, z[i * k.c + j]);
    double s = 0;
    for (int64_t j = 0; j < k.c; ++j) s += std::exp(z[i * k.c + j] - mx);
    for (int64_t j = 0; j < k.c; ++j) logp[j] = z[i * k.c + j] - mx - std::log(s);
    const auto wt = [&](int64_t j) { return k.weighted ? w[j] : 1.0; };
    if (!k.prob) {
      if (y[i] == ignore) continue;
      for (int64_t j = 0; j < k.c; ++j) q[j] = k.eps / k.c * wt(j);
      q[y[i]] += (1 - k.eps) * wt(y[i]);
    } else {
      for (int64_t j = 0; j < k.c; ++j) q[j] = wt(j) * ((1 - k.eps) * t[i * k.c + j] + k.eps / k.c);
    }
    double Q = 0, l = 0;
    for (int64_t j = 0; j < k.c; ++j) {
      Q += q[j];
      l -= q[j] * logp[j];
    }
    loss[i] = l;
    const double ri = r[i * r_stride];
    for (int64_t j = 0; j < k.c; ++j) dz[i * k.c + j] = ri * (Q * std::exp(logp[j]) - q[j]);
  }
}

template <typename T>
void run_case(const Case& k, uint64_t seed, double tol) {
  Lcg g{seed};
  const int64_t ignore = -100;
  std::vector<double> z(k.m * k.c), t(k.m * k.c), w(k.c), r(k.m);
  std::vector<int32_t> y(k.m);
  for (auto& v : z) v = static_cast<T>(g.next(-k.scale, k.scale));
  for (int64_t i = 0; i < k.m; ++i) {
    y[i] = static_cast<int32_t>(g.next(0, static_cast<double>(k.c)));
    if (i % 7 == 3) y[i] = static_cast<int32_t>(ignore);
    double s = 0;
    for (int64_t j = 0; j < k.c; ++j) s += (t[i * k.c + j] = static_cast<T>(g.next(0, 1)));
    for (int64_t j = 0; j < k.c; ++j) t[i * k.c + j] = static_cast<T>(t[i * k.c + j] / s);
  }
  for (auto& v : w) v = static_cast<T>(g.next(0.2, 2));
  for (auto& v : r) v = static_cast<T>(g.next(-1, 1));
  for (int64_t r_stride : {0, 1}) {
    std::vector<double> want_loss, want_dz;
    reference(k, z, y, t, w, ignore, r, r_stride, want_loss, want_dz);
    std::vector<T> zt(z.begin(), z.end()), tt(t.begin(), t.end()), wt(w.begin(), w.end()), rt(r.begin(), r.end());
    std::vector<T> loss(k.m), dz(k.m * k.c);
    std::vector<double> lse(k.m);
    const int32_t* yi = k.prob ? nullptr : y.data();
    const T* tp = k.prob ? tt.data() : nullptr;
    const T* wp = k.weighted ? wt.data() : nullptr;
    if constexpr (sizeof(T) == 4) {
      cross_entropy_forward_f32(k.m, k.c, zt.data(), yi, tp, wp, ignore, k.eps, loss.data(), lse.data());
      cross_entropy_backward_f32(k.m, k.c, zt.data(), lse.data(), yi, tp, wp, ignore, k.eps, rt.data(), r_stride,
                                 dz.data());
    } else {
      cross_entropy_forward_f64(k.m, k.c, zt.data(), yi, tp, wp, ignore, k.eps, loss.data(), lse.data());
      cross_entropy_backward_f64(k.m, k.c, zt.data(), lse.data(), yi, tp, wp, ignore, k.eps, rt.data(), r_stride,
                                 dz.data());
    }
    for (int64_t i = 0; i < k.m; ++i) CHECK_CLOSE(loss[i], want_loss[i], tol * (1 + k.scale), tol);
    for (int64_t i = 0; i < k.m * k.c; ++i) CHECK_CLOSE(dz[i], want_dz[i], tol, tol);
  }
}

template <typename T>
void run_all(double tol) {
  const Case cases[] = {
      {1, 1, false, false, 0, 1},     {3, 5, false, false, 0, 3},      {17, 10, false, true, 0, 3},
      {17, 10, false, false, 0.1, 3}, {9, 33, false, true, 0.25, 5},   {9, 33, true, false, 0, 3},
      {9, 33, true, true, 0.2, 3},    {300, 257, false, true, 0.1, 4}, {300, 257, true, true, 0.1, 4},
      {40, 7, false, false, 0, 1e4},  {0, 4, false, false, 0, 1},      {5, 0, true, false, 0, 1},
  };
  uint64_t seed = 1;
  for (const Case& k : cases) run_case<T>(k, seed++, tol);
}

}  // namespace

TEST(cross_entropy_f64_matches_reference) { run_all<double>(1e-12); }
TEST(cross_entropy_f32_matches_reference) { run_all<float>(2e-5); }

TEST(cross_entropy_threads_agree) {
  const int before = get_num_threads();
  const int64_t m = 512, c = 300;
  Lcg g{42};
  std::vector<float> z(m * c), loss1(m), loss2(m), dz1(m * c), dz2(m * c);
  std::vector<double> lse1(m), lse2(m);
  std::vector<int32_t> y(m);
  for (auto& v : z) v = static_cast<float>(g.next(-5, 5));
  for (auto& v : y) v = static_cast<int32_t>(g.next(0, c));
  const float r = 1.0f / m;
  set_num_threads(1);
  cross_entropy_forward_f32(m, c, z.data(), y.data(), nullptr, nullptr, -100, 0.1, loss1.data(), lse1.data());
  cross_entropy_backward_f32(m, c, z.data(), lse1.data(), y.data(), nullptr, nullptr, -100, 0.1, &r, 0, dz1.data());
  set_num_threads(2);
  cross_entropy_forward_f32(m, c, z.data(), y.data(), nullptr, nullptr, -100, 0.1, loss2.data(), lse2.data());
  cross_entropy_backward_f32(m, c, z.data(), lse2.data(), y.data(), nullptr, nullptr, -100, 0.1, &r, 0, dz2.data());
  set_num_threads(before);
  CHECK(loss1 == loss2);
  CHECK(dz1 == dz2);
}

TEST(cross_entropy_f32_large_logits_keep_precision) {
  // Three equal logits at −1e4: softmax is exactly 1/3 each; a float32 lse would be off by ~1e-3.
  const float z[3] = {-1e4f, -1e4f, -1e4f};
  const int32_t y[1] = {2};
  float loss[1], dz[3];
  double lse[1];
  const float r = 1;
  cross_entropy_forward_f32(1, 3, z, y, nullptr, nullptr, -100, 0, loss, lse);
  cross_entropy_backward_f32(1, 3, z, lse, y, nullptr, nullptr, -100, 0, &r, 0, dz);
  CHECK_CLOSE(loss[0], std::log(3.0), 1e-6, 1e-6);
  CHECK_CLOSE(dz[0], 1.0 / 3, 1e-7, 1e-6);
  CHECK_CLOSE(dz[2], -2.0 / 3, 1e-7, 1e-6);
}

TEST(cross_entropy_extreme_logits_stay_finite) {
  // ±1e4 logits: exp would overflow without the max shift.
  const double z[4] = {1e4, -1e4, 0, 1e4 - 1};
  const int32_t y[1] = {1};
  double loss[1], lse[1], dz[4];
  const double r = 1;
  cross_entropy_forward_f64(1, 4, z, y, nullptr, nullptr, -100, 0, loss, lse);
  CHECK_CLOSE(lse[0], 1e4 + std::log1p(std::exp(-1.0)), 1e-9, 1e-12);
  CHECK_CLOSE(loss[0], 2e4 + std::log1p(std::exp(-1.0)), 1e-9, 1e-12);
  cross_entropy_backward_f64(1, 4, z, lse, y, nullptr, nullptr, -100, 0, &r, 0, dz);
  for (double v : dz) CHECK(std::isfinite(v));
  CHECK_CLOSE(dz[1], -1.0, 1e-12, 0);
}

// The reduction: sums in double in row order, divisor from the weights of the rows not ignored (m for
// probability targets), each result rounded once; an all-ignored batch divides by zero as torch does.
TEST(cross_entropy_reduce) {
  const float loss[4] = {0.5f, 1.25f, 2.0f, 0.125f};
  const int32_t y[4] = {0, 2, -100, 1};
  const float w[3] = {1.0f, 0.5f, 2.0f};
  float out = 0, inverse = 0;
  cross_entropy_reduce_f32(4, loss, y, w, -100, true, &out, &inverse);
  const double sum = 0.5 + 1.25 + 2.0 + 0.125, divisor = 1.0 + 2.0 + 0.5;
  CHECK(out == static_cast<float>(sum / divisor));
  CHECK(inverse == static_cast<float>(1.0 / divisor));
  cross_entropy_reduce_f32(4, loss, y, nullptr, -100, false, &out, &inverse);
  CHECK(out == static_cast<float>(sum));
  CHECK(inverse == static_cast<float>(1.0 / 3.0));
  double dl[2] = {1.0, 3.0}, dout = 0, dinv = 0;
  cross_entropy_reduce_f64(2, dl, nullptr, nullptr, -100, true, &dout, &dinv);
  CHECK(dout == 2.0 && dinv == 0.5);
  const int32_t ignored[2] = {-100, -100};
  cross_entropy_reduce_f64(2, dl, ignored, nullptr, -100, true, &dout, &dinv);
  CHECK(std::isinf(dout) && std::isinf(dinv));
}

TEST_MAIN()

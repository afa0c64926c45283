// Fused SGD/Adam/AdamW updates vs a naive double reference written from torch.optim's documented
// update rules, float32 and float64, every option combination, several steps, 1 and 2 threads.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "check.h"
#include "tapegrad/cpu.h"
#include "tapegrad/optim.h"
#include "tapegrad/threads.h"
#include "test_util.h"

using namespace tapegrad;
using namespace test_util;

namespace {

template <typename T>
void sgd_case(int64_t n, double mu, double tau, bool nesterov, double wd, bool maximize, double tol) {
  Lcg g{static_cast<uint64_t>(n * 7 + static_cast<int64_t>(mu * 10) + nesterov)};
  std::vector<double> p(n), buf(n, 0);
  for (auto& v : p) v = static_cast<T>(g.next(-1, 1));
  std::vector<T> pt(p.begin(), p.end()), bt(n, 0);
  for (int step = 0; step < 4; ++step) {
    std::vector<double> grad(n);
    for (auto& v : grad) v = static_cast<T>(g.next(-1, 1));
    std::vector<T> gt(grad.begin(), grad.end());
    for (int64_t i = 0; i < n; ++i) {  // torch.optim.SGD, written out
      double d = maximize ? -grad[i] : grad[i];
      d += wd * p[i];
      if (mu != 0) {
        buf[i] = step == 0 ? d : mu * buf[i] + (1 - tau) * d;
        d = nesterov ? d + mu * buf[i] : buf[i];
      }
      p[i] -= 0.1 * d;
    }
    SgdParams h{0.1, mu, tau, wd, nesterov, maximize, step == 0};
    if constexpr (sizeof(T) == 4) sgd_step_f32(n, pt.data(), gt.data(), mu != 0 ? bt.data() : nullptr, h);
    else sgd_step_f64(n, pt.data(), gt.data(), mu != 0 ? bt.data() : nullptr, h);
  }
  for (int64_t i = 0; i < n; ++i) CHECK_CLOSE(pt[i], p[i], tol, tol);
}

template <typename T>
void adam_case(int64_t n, bool decoupled, bool amsgrad, double wd, bool maximize, double tol) {
  Lcg g{static_cast<uint64_t>(n * 3 + decoupled * 2 + amsgrad)};
  const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  std::vector<double> p(n), m(n, 0), v(n, 0), vmax(n, 0);
  for (auto& x : p) x = static_cast<T>(g.next(-1, 1));
  std::vector<T> pt(p.begin(), p.end()), mt(n, 0), vt(n, 0), vmt(n, 0);
  for (int step = 1; step <= 5; ++step) {
    std::vector<double> grad(n);
    for (auto& x : grad) x = static_cast<T>(g.next(-1, 1));
    std::vector<T> gt(grad.begin(), grad.end());
    const double bc1 = 1 - std::pow(b1, step), bc2 = 1 - std::pow(b2, step);
    for (int64_t i = 0; i < n; ++i) {  // torch.optim.Adam / AdamW, written out
      double gi = maximize ? -grad[i] : grad[i];
      if (decoupled) p[i] *= 1 - lr * wd;
      else gi += wd * p[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      double vh = v[i];
      if (amsgrad) vh = vmax[i] = std::max(vmax[i], v[i]);
      p[i] -= lr / bc1 * m[i] / (std::sqrt(vh) / std::sqrt(bc2) + eps);
    }
    AdamParams h{lr, b1, b2, eps, wd, decoupled, amsgrad, maximize, step};
    if constexpr (sizeof(T) == 4)
      adam_step_f32(n, pt.data(), gt.data(), mt.data(), vt.data(), amsgrad ? vmt.data() : nullptr, h);
    else adam_step_f64(n, pt.data(), gt.data(), mt.data(), vt.data(), amsgrad ? vmt.data() : nullptr, h);
  }
  for (int64_t i = 0; i < n; ++i) CHECK_CLOSE(pt[i], p[i], tol, tol);
}

template <typename T>
void all_cases(double tol) {
  for (int64_t n : {0, 1, 15, 16, 17, 1000, 300001}) {
    sgd_case<T>(n, 0, 0, false, 0, false, tol);
    sgd_case<T>(n, 0.9, 0, false, 0.01, false, tol);
    sgd_case<T>(n, 0.9, 0.3, false, 0, true, tol);
    sgd_case<T>(n, 0.8, 0, true, 0.05, false, tol);
    for (bool decoupled : {false, true})
      for (bool amsgrad : {false, true})
        adam_case<T>(n, decoupled, amsgrad, decoupled ? 0.01 : 0.1, amsgrad && !decoupled, tol);
  }
}

}  // namespace

TEST(optim_f64_matches_reference) {
  for_each_isa([](Isa) { all_cases<double>(1e-12); });
}
TEST(optim_f32_matches_reference) {
  for_each_isa([](Isa) { all_cases<float>(5e-5); });
}

// Three steps of every option combination at one ISA: the parameter and state buffers after each.
template <typename T>
std::vector<T> optim_trajectory(int64_t n) {
  Lcg g{17};
  std::vector<T> p(n), grad(n), state(5 * n, 0), out;
  for (auto& x : p) x = static_cast<T>(g.next(-1, 1));
  for (auto& x : grad) x = static_cast<T>(g.next(-1, 1));
  auto keep = [&] {
    out.insert(out.end(), p.begin(), p.end());
    out.insert(out.end(), state.begin(), state.end());
  };
  T* buf = state.data();
  T *m = buf + n, *v = buf + 2 * n, *vmax = buf + 3 * n;
  for (int step = 1; step <= 3; ++step) {
    for (bool nesterov : {false, true}) {
      SgdParams h{0.05, 0.9, 0.1, 0.01, nesterov, !nesterov, step == 1};
      if constexpr (sizeof(T) == 4) sgd_step_f32(n, p.data(), grad.data(), buf, h);
      else sgd_step_f64(n, p.data(), grad.data(), buf, h);
      keep();
    }
    for (bool decoupled : {false, true})
      for (bool amsgrad : {false, true}) {
        AdamParams h{1e-3, 0.9, 0.999, 1e-8, 0.02, decoupled, amsgrad, false, step};
        if constexpr (sizeof(T) == 4) adam_step_f32(n, p.data(), grad.data(), m, v, vmax, h);
        else adam_step_f64(n, p.data(), grad.data(), m, v, vmax, h);
        keep();
      }
  }
  return out;
}

// The loops are built once per ISA without fused multiply-adds: every ISA gives the baseline's bits.
TEST(optim_isas_agree_bitwise) {
  const int64_t n = 1037;  // vector bodies and tails at every width
  std::vector<float> f32;
  std::vector<double> f64;
  for_each_isa([&](Isa isa) {
    const std::vector<float> a = optim_trajectory<float>(n);
    const std::vector<double> b = optim_trajectory<double>(n);
    if (isa == Isa::Scalar) {
      f32 = a;
      f64 = b;
    } else {
      CHECK(std::memcmp(a.data(), f32.data(), a.size() * sizeof(float)) == 0);
      CHECK(std::memcmp(b.data(), f64.data(), b.size() * sizeof(double)) == 0);
    }
  });
}

TEST(optim_threads_agree) {
  const int before = get_num_threads();
  const int64_t n = (int64_t{1} << 21) + 40003;  // above optim.cc's threading threshold
  Lcg g{9};
  std::vector<float> p(n), gr(n), m1(n, 0), v1(n, 0), m2(n, 0), v2(n, 0);
  for (auto& x : p) x = static_cast<float>(g.next(-1, 1));
  for (auto& x : gr) x = static_cast<float>(g.next(-1, 1));
  std::vector<float> p1 = p, p2 = p;
  AdamParams h{1e-3, 0.9, 0.999, 1e-8, 0.01, true, false, false, 1};
  set_num_threads(1);
  adam_step_f32(n, p1.data(), gr.data(), m1.data(), v1.data(), nullptr, h);
  set_num_threads(2);
  adam_step_f32(n, p2.data(), gr.data(), m2.data(), v2.data(), nullptr, h);
  set_num_threads(before);
  CHECK(p1 == p2);
  CHECK(m1 == m2 && v1 == v2);
}

TEST_MAIN()

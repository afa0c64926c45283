// Fused softmax cross-entropy forward and backward (contract in tapegrad/loss.h). One pass per row
// for the log-sum-exp and the loss, one more for the gradient; rows are independent, so large inputs
// are split over the thread pool by rows. The exponentials of a row go through the vectorised
// elementwise exp (tapegrad/elementwise.h) on a per-task double scratch row.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "tapegrad/elementwise.h"
#include "tapegrad/loss.h"
#include "tapegrad/threads.h"

namespace tapegrad {
namespace {

// Below this many logits a single thread finishes before a wake-up round trip would.
constexpr int64_t kParallelMin = 1 << 15;

template <typename F>
void for_rows(int64_t m, int64_t c, F body) {
  const int threads = get_num_threads();
  if (threads <= 1 || m * c < kParallelMin || m < 2) {
    body(int64_t{0}, m);
    return;
  }
  const int tasks = static_cast<int>(m < threads ? m : threads);
  parallel_for(tasks, [&](int t, int n) {
    const int64_t lo = m * t / n, hi = m * (t + 1) / n;
    body(lo, hi);
  });
}

// buf[j] = exp(z[j] − shift) for j < c (buf holds c doubles).
template <typename T>
void exp_shifted(const T* z, int64_t c, double shift, double* buf) {
  for (int64_t j = 0; j < c; ++j) buf[j] = static_cast<double>(z[j]) - shift;
  unary_f64(UnaryOp::Exp, buf, buf, c, 0, 0);
}

template <typename T>
double row_lse(const T* z, int64_t c, double* buf) {
  double mx = -std::numeric_limits<double>::infinity();
  bool nan = false;
  for (int64_t j = 0; j < c; ++j) {
    const double v = z[j];
    if (v > mx) mx = v;
    if (v != v) nan = true;
  }
  if (nan) return std::numeric_limits<double>::quiet_NaN();
  if (mx == -std::numeric_limits<double>::infinity()) return mx;  // all −∞ (or c = 0): lse = −∞
  if (mx == std::numeric_limits<double>::infinity()) return std::numeric_limits<double>::quiet_NaN();
  exp_shifted(z, c, mx, buf);
  double s = 0;
  for (int64_t j = 0; j < c; ++j) s += buf[j];
  return mx + std::log(s);
}

template <typename T>
void forward(int64_t m, int64_t c, const T* z, const int32_t* idx, const T* prob, const T* w, int64_t ignore,
             double eps, T* loss, double* lse_out) {
  for_rows(m, c, [&](int64_t lo, int64_t hi) {
    std::vector<double> buf(static_cast<size_t>(c));
    for (int64_t i = lo; i < hi; ++i) {
      const T* zi = z + i * c;
      const double lse = row_lse(zi, c, buf.data());
      lse_out[i] = lse;
      double acc = 0;
      if (idx != nullptr) {
        const int64_t y = idx[i];
        if (y == ignore) {
          loss[i] = 0;
          continue;
        }
        acc = (1 - eps) * (w ? static_cast<double>(w[y]) : 1.0) * (lse - zi[y]);
        if (eps != 0) {
          double sm = 0;
          for (int64_t j = 0; j < c; ++j) sm += (w ? static_cast<double>(w[j]) : 1.0) * (lse - zi[j]);
          acc += eps / static_cast<double>(c) * sm;
        }
      } else {
        const T* ti = prob + i * c;
        for (int64_t j = 0; j < c; ++j)
          acc += (w ? static_cast<double>(w[j]) : 1.0) * ((1 - eps) * ti[j] + eps / static_cast<double>(c)) *
                 (lse - zi[j]);
      }
      loss[i] = static_cast<T>(acc);
    }
  });
}

template <typename T>
void backward(int64_t m, int64_t c, const T* z, const double* lse, const int32_t* idx, const T* prob, const T* w,
              int64_t ignore, double eps, const T* r, int64_t r_stride, T* dz) {
  double wsum = static_cast<double>(c);
  if (w != nullptr) {
    wsum = 0;
    for (int64_t j = 0; j < c; ++j) wsum += w[j];
  }
  const double sm = c > 0 ? eps / static_cast<double>(c) : 0;
  for_rows(m, c, [&](int64_t lo, int64_t hi) {
    std::vector<double> buf(static_cast<size_t>(c));
    double* e = buf.data();
    for (int64_t i = lo; i < hi; ++i) {
      const T* zi = z + i * c;
      T* di = dz + i * c;
      const double l = lse[i], ri = r[i * r_stride];
      if (idx != nullptr) {
        const int64_t y = idx[i];
        if (y == ignore) {
          for (int64_t j = 0; j < c; ++j) di[j] = 0;
          continue;
        }
        const double wy = (1 - eps) * (w ? static_cast<double>(w[y]) : 1.0);
        const double q = wy + sm * wsum;
        exp_shifted(zi, c, l, e);
        for (int64_t j = 0; j < c; ++j)
          di[j] =
              static_cast<T>(ri * (q * e[j] - sm * (w ? static_cast<double>(w[j]) : 1.0)) - (j == y ? ri * wy : 0.0));
      } else {
        const T* ti = prob + i * c;
        double q = 0;
        for (int64_t j = 0; j < c; ++j) q += (w ? static_cast<double>(w[j]) : 1.0) * ((1 - eps) * ti[j] + sm);
        exp_shifted(zi, c, l, e);
        for (int64_t j = 0; j < c; ++j)
          di[j] = static_cast<T>(ri * (q * e[j] - (w ? static_cast<double>(w[j]) : 1.0) * ((1 - eps) * ti[j] + sm)));
      }
    }
  });
}

}  // namespace

void cross_entropy_forward_f32(int64_t m, int64_t c, const float* z, const int32_t* target_index,
                               const float* target_prob, const float* weight, int64_t ignore_index,
                               double label_smoothing, float* loss, double* lse) noexcept {
  forward(m, c, z, target_index, target_prob, weight, ignore_index, label_smoothing, loss, lse);
}
void cross_entropy_forward_f64(int64_t m, int64_t c, const double* z, const int32_t* target_index,
                               const double* target_prob, const double* weight, int64_t ignore_index,
                               double label_smoothing, double* loss, double* lse) noexcept {
  forward(m, c, z, target_index, target_prob, weight, ignore_index, label_smoothing, loss, lse);
}
void cross_entropy_backward_f32(int64_t m, int64_t c, const float* z, const double* lse, const int32_t* target_index,
                                const float* target_prob, const float* weight, int64_t ignore_index,
                                double label_smoothing, const float* r, int64_t r_stride, float* dz) noexcept {
  backward(m, c, z, lse, target_index, target_prob, weight, ignore_index, label_smoothing, r, r_stride, dz);
}
void cross_entropy_backward_f64(int64_t m, int64_t c, const double* z, const double* lse, const int32_t* target_index,
                                const double* target_prob, const double* weight, int64_t ignore_index,
                                double label_smoothing, const double* r, int64_t r_stride, double* dz) noexcept {
  backward(m, c, z, lse, target_index, target_prob, weight, ignore_index, label_smoothing, r, r_stride, dz);
}

namespace {

template <typename T>
void reduce_losses(int64_t m, const T* loss, const int32_t* target_index, const T* weight, int64_t ignore_index,
                   bool mean, T* out, T* inverse) noexcept {
  double sum = 0, divisor = 0;
  for (int64_t i = 0; i < m; ++i) sum += static_cast<double>(loss[i]);
  if (target_index == nullptr) divisor = static_cast<double>(m);
  else
    for (int64_t i = 0; i < m; ++i) {
      const int64_t y = target_index[i];
      if (y != ignore_index) divisor += weight == nullptr ? 1.0 : static_cast<double>(weight[y]);
    }
  out[0] = static_cast<T>(mean ? sum / divisor : sum);
  inverse[0] = static_cast<T>(1.0 / divisor);
}

}  // namespace

void cross_entropy_reduce_f32(int64_t m, const float* loss, const int32_t* target_index, const float* weight,
                              int64_t ignore_index, bool mean, float* out, float* inverse) noexcept {
  reduce_losses(m, loss, target_index, weight, ignore_index, mean, out, inverse);
}
void cross_entropy_reduce_f64(int64_t m, const double* loss, const int32_t* target_index, const double* weight,
                              int64_t ignore_index, bool mean, double* out, double* inverse) noexcept {
  reduce_losses(m, loss, target_index, weight, ignore_index, mean, out, inverse);
}

}  // namespace tapegrad

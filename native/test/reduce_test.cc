// Reductions vs a naive double reference: every dim subset of 4-d tensors, float32 and float64, every ISA.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "check.h"
#include "tapegrad/cpu.h"
#include "tapegrad/reduce.h"
#include "tapegrad/threads.h"
#include "test_util.h"

using namespace tapegrad;
using namespace test_util;

namespace {

// Naive reference in long double: out[kept index] over all elements in row-major order.
std::vector<double> ref_reduce(ReduceOp op, const std::vector<int64_t>& shape, uint32_t mask,
                               const std::vector<double>& x) {
  const int nd = static_cast<int>(shape.size());
  int64_t out_n = 1, count = 1;
  for (int d = 0; d < nd; ++d) (mask >> d & 1) ? count *= shape[d] : out_n *= shape[d];
  const long double init = op == ReduceOp::Max    ? -INFINITY
                           : op == ReduceOp::Min  ? INFINITY
                           : op == ReduceOp::Prod ? 1
                                                  : 0;
  std::vector<long double> acc(out_n, init);
  std::vector<int64_t> idx(nd, 0);
  for (size_t i = 0; i < x.size(); ++i) {
    int64_t o = 0;
    for (int d = 0; d < nd; ++d)
      if (!(mask >> d & 1)) o = o * shape[d] + idx[d];
    const long double v = x[i];
    long double& a = acc[o];
    switch (op) {
      case ReduceOp::Sum:
      case ReduceOp::Mean: a += v; break;
      case ReduceOp::Max: a = (std::isnan(a) || std::isnan(v)) ? NAN : std::max(a, v); break;
      case ReduceOp::Min: a = (std::isnan(a) || std::isnan(v)) ? NAN : std::min(a, v); break;
      case ReduceOp::Prod: a *= v; break;
      case ReduceOp::Count: break;
    }
    for (int d = nd - 1; d >= 0; --d) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  std::vector<double> out(out_n);
  for (int64_t i = 0; i < out_n; ++i)
    out[i] = static_cast<double>(op == ReduceOp::Mean ? acc[i] / static_cast<long double>(count) : acc[i]);
  return out;
}

template <typename T>
void check_reduce(ReduceOp op, const std::vector<int64_t>& shape, uint32_t mask, const std::vector<double>& xd,
                  double rtol, const char* what) {
  std::vector<T> x(xd.begin(), xd.end());
  const std::vector<double> xr(x.begin(), x.end());  // the values the kernel actually sees
  const std::vector<double> want = ref_reduce(op, shape, mask, xr);
  std::vector<T> out(want.size() + 1, T(-777));  // one guard element past the end
  if (sizeof(T) == 4)
    reduce_f32(op, static_cast<int>(shape.size()), shape.data(), mask, reinterpret_cast<const float*>(x.data()),
               reinterpret_cast<float*>(out.data()));
  else
    reduce_f64(op, static_cast<int>(shape.size()), shape.data(), mask, reinterpret_cast<const double*>(x.data()),
               reinterpret_cast<double*>(out.data()));
  CHECK(out.back() == T(-777));
  for (size_t i = 0; i < want.size(); ++i) {
    const double w = static_cast<double>(static_cast<T>(want[i]));
    if (!::check::close(static_cast<double>(out[i]), w, rtol, rtol)) {
      char msg[240];
      std::snprintf(msg, sizeof msg, "%s %s %s mask=0x%x out[%zu]: got %.17g want %.17g", what, reduce_op_name(op),
                    sizeof(T) == 4 ? "f32" : "f64", mask, i, static_cast<double>(out[i]), w);
      ::check::fail(__FILE__, __LINE__, msg);
      return;
    }
  }
}

std::vector<double> random(int64_t n, uint64_t seed, double lo = -2, double hi = 2) {
  Lcg g{seed};
  std::vector<double> v(n);
  for (auto& e : v) e = g.next(lo, hi);
  return v;
}

int64_t numel(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (int64_t v : s) n *= v;
  return n;
}

template <typename T>
double tol(ReduceOp op) {
  if (op == ReduceOp::Max || op == ReduceOp::Min) return 0;
  return sizeof(T) == 4 ? 1e-6 : 1e-13;
}

}  // namespace

TEST(op_names) {
  CHECK(std::string(reduce_op_name(ReduceOp::Sum)) == "sum");
  CHECK(std::string(reduce_op_name(ReduceOp::Prod)) == "prod");
  CHECK(std::string(reduce_op_name(ReduceOp::Count)).empty());
}

// Every subset of dims (including none and all) of several 4-d shapes, with and without size-1 dims,
// and shapes that hit the chunked/blocked and parallel paths.
TEST(every_dim_subset) {
  const std::vector<std::vector<int64_t>> shapes = {{3, 4, 5, 6},     {2, 1, 7, 3},     {1, 17, 1, 33},
                                                    {4, 70, 3, 1100}, {2, 3, 100, 300}, {5, 2, 3, 7}};
  const int nshapes = static_cast<int>(shapes.size());
  for_each_isa([&](Isa) {
    for (int si = 0; si < nshapes; ++si) {
      const auto& s = shapes[si];
      for (int o = 0; o < static_cast<int>(ReduceOp::Count); ++o) {
        const ReduceOp op = static_cast<ReduceOp>(o);
        // prod of many values: keep them near 1 so the result stays finite and meaningful
        const auto x = op == ReduceOp::Prod ? random(numel(s), si + 1, 0.9, 1.1) : random(numel(s), si + 1);
        for (uint32_t mask = 0; mask < 16; ++mask) {
          check_reduce<float>(op, s, mask, x, tol<float>(op), "subset");
          check_reduce<double>(op, s, mask, x, tol<double>(op) * (op == ReduceOp::Prod ? 100 : 1), "subset");
        }
      }
    }
  });
}

TEST(ndim_0_and_16) {
  for_each_isa([](Isa) {
    const std::vector<double> one = {2.5};
    for (int o = 0; o < static_cast<int>(ReduceOp::Count); ++o) {
      check_reduce<float>(static_cast<ReduceOp>(o), {}, 0, one, 0, "0-d");
      check_reduce<double>(static_cast<ReduceOp>(o), {}, 0, one, 0, "0-d");
    }
    const std::vector<int64_t> s16(16, 2);
    const auto x = random(1 << 16, 3, 0.95, 1.05);
    for (uint32_t mask : {0x0u, 0x1u, 0x8000u, 0xAAAAu, 0x5555u, 0xFFFFu, 0x0FF0u})
      for (int o = 0; o < static_cast<int>(ReduceOp::Count); ++o) {
        check_reduce<float>(static_cast<ReduceOp>(o), s16, mask, x, tol<float>(static_cast<ReduceOp>(o)), "16-d");
        check_reduce<double>(static_cast<ReduceOp>(o), s16, mask, x, 1e-12 * (o == 4 ? 100 : 1), "16-d");
      }
  });
}

TEST(long_sums_are_accurate) {
  // 1.2e6 float32 values summed: a float accumulator would be off by ~1e-3 relative here.
  for_each_isa([](Isa) {
    const int64_t n = 1200007;
    std::vector<double> x(n);
    Lcg g{11};
    for (auto& v : x) v = 0.1 + g.next(0, 1e-3);
    check_reduce<float>(ReduceOp::Sum, {n}, 1, x, 1e-7, "long");
    check_reduce<float>(ReduceOp::Mean, {n}, 1, x, 1e-7, "long");
    check_reduce<double>(ReduceOp::Sum, {n}, 1, x, 1e-15, "long");
    // down a long leading dim (the (R, K) pattern, blocked) and along rows
    check_reduce<float>(ReduceOp::Sum, {n / 7, 7}, 1, std::vector<double>(x.begin(), x.begin() + n / 7 * 7), 1e-7,
                        "long-R");
    check_reduce<double>(ReduceOp::Sum, {n / 7, 7}, 1, std::vector<double>(x.begin(), x.begin() + n / 7 * 7), 1e-14,
                         "long-R");
    check_reduce<float>(ReduceOp::Mean, {7, n / 7}, 2, std::vector<double>(x.begin(), x.begin() + n / 7 * 7), 1e-7,
                        "long-K");
  });
}

TEST(max_min_propagate_nan) {
  for_each_isa([](Isa) {
    const std::vector<int64_t> s = {3, 4, 5, 6};
    for (int64_t pos : {int64_t{0}, int64_t{37}, int64_t{359}}) {
      auto x = random(360, 5);
      x[pos] = kNaN;
      for (uint32_t mask = 1; mask < 16; ++mask)
        for (ReduceOp op : {ReduceOp::Max, ReduceOp::Min, ReduceOp::Sum}) {
          check_reduce<float>(op, s, mask, x, tol<float>(op), "nan");
          check_reduce<double>(op, s, mask, x, tol<double>(op), "nan");
        }
    }
    // a large contiguous run with NaN in the vector body and in the tail
    for (int64_t pos : {int64_t{12345}, int64_t{99999}}) {
      auto x = random(100003, 6);
      x[pos] = kNaN;
      check_reduce<float>(ReduceOp::Max, {100003}, 1, x, 0, "nan-long");
      check_reduce<double>(ReduceOp::Min, {100003}, 1, x, 0, "nan-long");
    }
    // infinities are ordinary values
    std::vector<double> y = {1, kInf, -kInf, 3};
    check_reduce<double>(ReduceOp::Max, {4}, 1, y, 0, "inf");
    check_reduce<float>(ReduceOp::Min, {4}, 1, y, 0, "inf");
  });
}

TEST(empty_reductions) {
  for_each_isa([](Isa) {
    const struct {
      ReduceOp op;
      double want;
    } cases[] = {
        {ReduceOp::Sum, 0}, {ReduceOp::Prod, 1}, {ReduceOp::Mean, kNaN}, {ReduceOp::Max, -kInf}, {ReduceOp::Min, kInf}};
    for (const auto& c : cases) {
      const int64_t shape[2] = {0, 3};
      float out32[4] = {-1, -1, -1, -1};
      reduce_f32(c.op, 2, shape, 0x1, nullptr, out32);  // reduce the empty dim: 3 outputs
      for (int i = 0; i < 3; ++i) CHECK(::check::close(out32[i], c.want, 0, 0));
      CHECK(out32[3] == -1);
      double out64[2] = {-1, -1};
      reduce_f64(c.op, 2, shape, 0x3, nullptr, out64);  // reduce all of an empty tensor: 1 output
      CHECK(::check::close(out64[0], c.want, 0, 0));
      CHECK(out64[1] == -1);
      out64[0] = -1;
      reduce_f64(c.op, 2, shape, 0x2, nullptr, out64);  // the kept dim is empty: nothing written
      CHECK(out64[0] == -1);
    }
  });
}

TEST(threads_do_not_change_results) {
  const int before = get_num_threads();
  const auto x = random(2000003, 9);
  std::vector<double> a(1), b(1);
  set_num_threads(2);
  const int64_t n = 2000003;
  reduce_f64(ReduceOp::Sum, 1, &n, 1, x.data(), a.data());
  set_num_threads(1);
  reduce_f64(ReduceOp::Sum, 1, &n, 1, x.data(), b.data());
  CHECK(::check::close(a[0], b[0], 1e-9, 1e-13));
  set_num_threads(before);
}

TEST_MAIN()

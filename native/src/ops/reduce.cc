// Reductions: the reduced/kept dims are merged into alternating groups (size-1 dims dropped), then
//   - the innermost group reduced:  each output is a sum of contiguous runs (reduce_contig per run);
//   - the innermost group kept:     (outer, R, K) blocks, R rows of K accumulated into K outputs at a
//                                   time (reduce_rows, vectorised along K);
// with an odometer over any further reduced outer groups. Work is split over the thread pool by
// output elements, or for a reduction to one value, by ranges of the input.
#include "tapegrad/reduce.h"

#include "ops/dispatch.h"
#include "ops/table.h"
#include "tapegrad/threads.h"

namespace tapegrad {
namespace ops {
namespace {

constexpr const char* kReduceNames[] = {"sum", "mean", "max", "min", "prod"};
static_assert(sizeof(kReduceNames) / sizeof(kReduceNames[0]) == static_cast<size_t>(ReduceOp::Count),
              "one name per ReduceOp");

double identity(ReduceOp op) noexcept {
  switch (op) {
    case ReduceOp::Max: return -__builtin_huge_val();
    case ReduceOp::Min: return __builtin_huge_val();
    case ReduceOp::Prod: return 1.0;
    default: return 0.0;
  }
}

// a ⊕ v; Max/Min keep a NaN once seen.
inline double combine(ReduceOp op, double a, double v) noexcept {
  switch (op) {
    case ReduceOp::Max: return (v > a || v != v) ? v : a;
    case ReduceOp::Min: return (v < a || v != v) ? v : a;
    case ReduceOp::Prod: return a * v;
    default: return a + v;
  }
}

// The outer groups (all but the inner one or two): kept ones address outputs, reduced ones are looped.
struct Outer {
  int nk = 0, nr = 0;
  int64_t ksize[16], kstride[16], rsize[16], rstride[16];
  int64_t rcount = 1;  // product of rsize

  int64_t base(int64_t q) const noexcept {  // input offset of kept-outer index q (row-major)
    int64_t off = 0;
    for (int i = nk - 1; i >= 0; --i) {
      off += (q % ksize[i]) * kstride[i];
      q /= ksize[i];
    }
    return off;
  }
  // Calls f(offset) for every combination of the reduced outer groups, in row-major order.
  template <typename F>
  void for_each_reduced(F f) const noexcept {
    int64_t idx[16] = {};
    int64_t off = 0;
    for (int64_t c = 0; c < rcount; ++c) {
      f(off);
      for (int i = nr - 1; i >= 0; --i) {
        off += rstride[i];
        if (++idx[i] < rsize[i]) break;
        off -= rstride[i] * rsize[i];
        idx[i] = 0;
      }
    }
  }
};

template <typename T>
void reduce_run(const KernelsOf<T>& k, ReduceOp op, int ndim, const int64_t* shape, uint32_t mask, const T* x,
                T* out) noexcept {
  const int iop = static_cast<int>(op);
  if (iop < 0 || op >= ReduceOp::Count || ndim < 0 || ndim > 16) return;
  int64_t in_size = 1, out_size = 1, count = 1;
  for (int d = 0; d < ndim; ++d) {
    if (shape[d] < 0) return;
    in_size *= shape[d];
    if (mask >> d & 1u) count *= shape[d];
    else out_size *= shape[d];
  }
  if (out_size == 0) return;
  auto finish = [&](double v) {
    // Mean: sum · (1/count) would round twice; divide instead.
    return static_cast<T>(op == ReduceOp::Mean ? v / static_cast<double>(count) : v);
  };
  if (in_size == 0) {  // empty reduction: the identity (Mean: 0/0 = NaN)
    const T v = op == ReduceOp::Mean ? static_cast<T>(__builtin_nan("")) : static_cast<T>(identity(op));
    for (int64_t i = 0; i < out_size; ++i) out[i] = v;
    return;
  }
  // Alternating groups of merged dims, size-1 dims dropped.
  int64_t gsize[16];
  bool gred[16];
  int m = 0;
  for (int d = 0; d < ndim; ++d) {
    if (shape[d] == 1) continue;
    const bool r = (mask >> d & 1u) != 0;
    if (m > 0 && gred[m - 1] == r) {
      gsize[m - 1] *= shape[d];
    } else {
      gsize[m] = shape[d];
      gred[m] = r;
      ++m;
    }
  }
  bool any_reduced = false;
  for (int g = 0; g < m; ++g) any_reduced |= gred[g];
  if (!any_reduced) {  // nothing to combine: a copy (Mean divides by 1)
    for (int64_t i = 0; i < in_size; ++i) out[i] = x[i];
    return;
  }
  int64_t gstride[16];
  for (int g = m - 1, s = 1; g >= 0; --g) {
    gstride[g] = s;
    s *= gsize[g];
  }
  const bool inner_reduced = gred[m - 1];
  const int n_outer = inner_reduced ? m - 1 : m - 2;
  Outer o;
  for (int g = 0; g < n_outer; ++g) {
    if (gred[g]) {
      o.rsize[o.nr] = gsize[g];
      o.rstride[o.nr] = gstride[g];
      o.rcount *= gsize[g];
      ++o.nr;
    } else {
      o.ksize[o.nk] = gsize[g];
      o.kstride[o.nk] = gstride[g];
      ++o.nk;
    }
  }

  if (inner_reduced) {
    const int64_t R = gsize[m - 1];
    if (out_size == 1 && o.rcount == 1) {  // one contiguous run: split the run itself
      const int tasks = tasks_for(R);
      if (tasks <= 1) {
        out[0] = finish(k.reduce_contig(iop, x, R));
        return;
      }
      double partial[256];
      const int nt = tasks < 256 ? tasks : 256;
      parallel_for(nt, [&](int t, int n) {
        int64_t b, e;
        split_range(R, t, n, 64, &b, &e);
        partial[t] = e > b ? k.reduce_contig(iop, x + b, e - b) : identity(op);
      });
      double acc = partial[0];
      for (int t = 1; t < nt; ++t) acc = combine(op, acc, partial[t]);
      out[0] = finish(acc);
      return;
    }
    auto run = [&](int64_t q0, int64_t q1) {
      if (o.nr == 0) {  // outputs are consecutive runs of R: one kernel call per 256 outputs
        double res[256];
        for (int64_t q = q0; q < q1; q += 256) {
          const int64_t rows = q1 - q < 256 ? q1 - q : 256;
          k.reduce_many(iop, x + q * R, rows, R, res);
          for (int64_t r = 0; r < rows; ++r) out[q + r] = finish(res[r]);
        }
        return;
      }
      for (int64_t q = q0; q < q1; ++q) {
        const T* xq = x + o.base(q);
        double acc = identity(op);
        bool first = true;
        o.for_each_reduced([&](int64_t off) {
          const double v = k.reduce_contig(iop, xq + off, R);
          acc = first ? v : combine(op, acc, v);
          first = false;
        });
        out[q] = finish(acc);
      }
    };
    const int tasks = out_size > 1 ? tasks_for(in_size) : 1;
    if (tasks <= 1) {
      run(0, out_size);
    } else {
      parallel_for(tasks, [&](int t, int n) {
        int64_t b, e;
        split_range(out_size, t, n, 1, &b, &e);
        run(b, e);
      });
    }
    return;
  }

  // Innermost group kept: K outputs per (outer) block, accumulated over R rows in chunks of kRowChunk.
  const int64_t K = gsize[m - 1], R = gsize[m - 2];
  const int64_t nq = out_size / K;
  const int64_t chunks = (K + kRowChunk - 1) / kRowChunk;
  auto run = [&](int64_t w0, int64_t w1) {  // work items w = q·chunks + c
    double acc[kRowChunk];
    for (int64_t w = w0; w < w1; ++w) {
      const int64_t q = w / chunks, j0 = (w % chunks) * kRowChunk;
      const int64_t len = K - j0 < kRowChunk ? K - j0 : kRowChunk;
      const double init = identity(op);
      for (int64_t j = 0; j < len; ++j) acc[j] = init;
      const T* xq = x + o.base(q) + j0;
      o.for_each_reduced([&](int64_t off) { k.reduce_rows(iop, xq + off, R, len, K, acc); });
      T* oq = out + q * K + j0;
      for (int64_t j = 0; j < len; ++j) oq[j] = finish(acc[j]);
    }
  };
  const int64_t items = nq * chunks;
  int tasks = tasks_for(in_size);
  if (tasks > items) tasks = static_cast<int>(items);
  if (tasks <= 1) {
    run(0, items);
  } else {
    parallel_for(tasks, [&](int t, int n) {
      int64_t b, e;
      split_range(items, t, n, 1, &b, &e);
      run(b, e);
    });
  }
}

}  // namespace
}  // namespace ops

const char* reduce_op_name(ReduceOp op) noexcept {
  const int i = static_cast<int>(op);
  return i >= 0 && op < ReduceOp::Count ? ops::kReduceNames[i] : "";
}

void reduce_f32(ReduceOp op, int ndim, const int64_t* shape, uint32_t reduce_mask, const float* x,
                float* out) noexcept {
  ops::reduce_run(ops::kernel_table()->f32, op, ndim, shape, reduce_mask, x, out);
}
void reduce_f64(ReduceOp op, int ndim, const int64_t* shape, uint32_t reduce_mask, const double* x,
                double* out) noexcept {
  ops::reduce_run(ops::kernel_table()->f64, op, ndim, shape, reduce_mask, x, out);
}

}  // namespace tapegrad

// Fused softmax / log-softmax forward and backward over the (outer, n, inner) view (see softmax.h).
// The exp of a whole row (or block of rows) goes through the per-ISA vectorised unary kernel of
// kernels.h (kernel_table()), so this file itself is baseline code with only simple loops. Each
// (outer index, block of inner columns) is an independent work item; large tensors split the items
// over the thread pool.
#include "tapegrad/softmax.h"

#include <cmath>

#include "ops/dispatch.h"
#include "ops/table.h"
#include "tapegrad/elementwise.h"
#include "tapegrad/reduce.h"
#include "tapegrad/threads.h"

namespace tapegrad {
namespace ops {
namespace {

// Columns handled together when inner > 1: per-column accumulators live on the stack.
constexpr int64_t kCols = 256;
constexpr int kExp = static_cast<int>(UnaryOp::Exp);

// Runs item(q) for q in [0, items), in parallel when the tensor is large (exp costs ~8 cheap ops).
template <typename F>
void for_items(int64_t items, int64_t elements, F item) noexcept {
  const int tasks = tasks_for(elements * 8);
  if (tasks <= 1 || items < 2) {
    for (int64_t q = 0; q < items; ++q) item(q);
    return;
  }
  parallel_for(tasks < items ? tasks : static_cast<int>(items), [&](int t, int nt) {
    int64_t b, e;
    split_range(items, t, nt, 1, &b, &e);
    for (int64_t q = b; q < e; ++q) item(q);
  });
}

// Rows handled together when inner == 1 and rows are short, so that each call into the vectorised exp
// covers about this many elements (per-call overhead would dominate rows of, say, 10 classes).
constexpr int64_t kChunk = 4096;

inline int64_t rows_per_chunk(int64_t n) noexcept { return n >= kChunk ? 1 : kChunk / n; }

// `rows` contiguous rows (inner == 1) of n >= 1 elements each.
template <typename T>
void forward_rows(const KernelsOf<T>& k, const T* x, T* y, int64_t rows, int64_t n, bool log) noexcept {
  double m[kChunk], s[kChunk];  // rows <= kChunk
  // Short rows: plain loops beat a call through the kernel table per row.
  const bool short_rows = n < 128;
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * n;
    if (short_rows) {
      double mr = -HUGE_VAL;
      for (int64_t i = 0; i < n; ++i) {
        const double v = static_cast<double>(xr[i]);
        mr = (mr == mr && (v > mr || v != v)) ? v : mr;  // a NaN, once seen, sticks
      }
      m[r] = mr;
    } else {
      m[r] = k.reduce_contig(static_cast<int>(ReduceOp::Max), xr, n);
    }
    T* yr = y + r * n;
    // x − m by the vectorised add: −m is one of the row's values (no rounding of the parameter for float32)
    // and the sum is correctly rounded, so this equals the double computation rounded once.
    if (short_rows)
      for (int64_t i = 0; i < n; ++i) yr[i] = static_cast<T>(static_cast<double>(xr[i]) - m[r]);
    else k.unary(static_cast<int>(UnaryOp::AddScalar), xr, yr, n, -m[r], 0.0);
  }
  k.unary(kExp, y, y, rows * n, 0.0, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const T* yr = y + r * n;
    if (short_rows) {
      double acc = 0.0;
      for (int64_t i = 0; i < n; ++i) acc += static_cast<double>(yr[i]);
      s[r] = acc;
    } else {
      s[r] = k.reduce_contig(static_cast<int>(ReduceOp::Sum), yr, n);
    }
  }
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * n;
    T* yr = y + r * n;
    if (log) {
      const double ls = std::log(s[r]);
      for (int64_t i = 0; i < n; ++i) yr[i] = static_cast<T>((static_cast<double>(xr[i]) - m[r]) - ls);
    } else {
      const double inv = 1.0 / s[r];
      for (int64_t i = 0; i < n; ++i) yr[i] = static_cast<T>(static_cast<double>(yr[i]) * inv);
    }
  }
}

// Columns [j0, j0 + w) of one (n, inner) block, w <= kCols.
template <typename T>
void forward_cols(const KernelsOf<T>& k, const T* x, T* y, int64_t n, int64_t inner, int64_t j0, int64_t w,
                  bool log) noexcept {
  double m[kCols], s[kCols];
  for (int64_t j = 0; j < w; ++j) {
    m[j] = -HUGE_VAL;
    s[j] = 0.0;
  }
  for (int64_t i = 0; i < n; ++i) {
    const T* xr = x + i * inner + j0;
    for (int64_t j = 0; j < w; ++j) {
      const double v = static_cast<double>(xr[j]);
      m[j] = (m[j] == m[j] && (v > m[j] || v != v)) ? v : m[j];  // a NaN, once seen, sticks
    }
  }
  const bool whole = j0 == 0 && w == inner;  // the block is one contiguous run: one exp call for all of it
  for (int64_t i = 0; i < n; ++i) {
    const T* xr = x + i * inner + j0;
    T* yr = y + i * inner + j0;
    for (int64_t j = 0; j < w; ++j) yr[j] = static_cast<T>(static_cast<double>(xr[j]) - m[j]);
    if (!whole) k.unary(kExp, yr, yr, w, 0.0, 0.0);
  }
  if (whole) k.unary(kExp, y, y, n * inner, 0.0, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    const T* yr = y + i * inner + j0;
    for (int64_t j = 0; j < w; ++j) s[j] += static_cast<double>(yr[j]);
  }
  if (log) {
    for (int64_t j = 0; j < w; ++j) s[j] = std::log(s[j]);
    for (int64_t i = 0; i < n; ++i) {
      const T* xr = x + i * inner + j0;
      T* yr = y + i * inner + j0;
      for (int64_t j = 0; j < w; ++j) yr[j] = static_cast<T>((static_cast<double>(xr[j]) - m[j]) - s[j]);
    }
  } else {
    for (int64_t j = 0; j < w; ++j) s[j] = 1.0 / s[j];
    for (int64_t i = 0; i < n; ++i) {
      T* yr = y + i * inner + j0;
      for (int64_t j = 0; j < w; ++j) yr[j] = static_cast<T>(static_cast<double>(yr[j]) * s[j]);
    }
  }
}

template <typename T>
void forward(const KernelsOf<T>& k, const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool log) noexcept {
  if (outer <= 0 || n <= 0 || inner <= 0) return;
  if (inner == 1) {
    const int64_t per = rows_per_chunk(n), chunks = (outer + per - 1) / per;
    for_items(chunks, outer * n, [&](int64_t q) {
      const int64_t r0 = q * per, rows = outer - r0 < per ? outer - r0 : per;
      forward_rows(k, x + r0 * n, y + r0 * n, rows, n, log);
    });
    return;
  }
  const int64_t blocks = (inner + kCols - 1) / kCols;
  for_items(outer * blocks, outer * n * inner, [&](int64_t q) {
    const int64_t o = q / blocks, b = q % blocks;
    const int64_t off = o * n * inner, j0 = b * kCols;
    forward_cols(k, x + off, y + off, n, inner, j0, inner - j0 < kCols ? inner - j0 : kCols, log);
  });
}

// Backward over columns [j0, j0 + w) of one (n, inner) block (inner == 1 is the w = 1 case).
template <typename T>
void backward_cols(const KernelsOf<T>& k, const T* y, const T* g, T* dx, int64_t n, int64_t inner, int64_t j0,
                   int64_t w, bool log) noexcept {
  double acc[kCols];
  for (int64_t j = 0; j < w; ++j) acc[j] = 0.0;
  if (log) {
    // dx = g − exp(y)·Σg: exp(y) is written into dx first (one vectorised call when contiguous).
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < w; ++j) acc[j] += static_cast<double>(g[i * inner + j0 + j]);
    if (j0 == 0 && w == inner) k.unary(kExp, y, dx, n * inner, 0.0, 0.0);
    else
      for (int64_t i = 0; i < n; ++i) k.unary(kExp, y + i * inner + j0, dx + i * inner + j0, w, 0.0, 0.0);
    for (int64_t i = 0; i < n; ++i) {
      const T* gr = g + i * inner + j0;
      T* dr = dx + i * inner + j0;
      for (int64_t j = 0; j < w; ++j)
        dr[j] = static_cast<T>(static_cast<double>(gr[j]) - static_cast<double>(dr[j]) * acc[j]);
    }
  } else {
    // dx = y·(g − Σ g·y)
    for (int64_t i = 0; i < n; ++i) {
      const T* gr = g + i * inner + j0;
      const T* yr = y + i * inner + j0;
      for (int64_t j = 0; j < w; ++j) acc[j] += static_cast<double>(gr[j]) * static_cast<double>(yr[j]);
    }
    for (int64_t i = 0; i < n; ++i) {
      const T* gr = g + i * inner + j0;
      const T* yr = y + i * inner + j0;
      T* dr = dx + i * inner + j0;
      for (int64_t j = 0; j < w; ++j)
        dr[j] = static_cast<T>(static_cast<double>(yr[j]) * (static_cast<double>(gr[j]) - acc[j]));
    }
  }
}

// Backward over `rows` contiguous rows (inner == 1): one exp call per chunk for logSoftmax.
template <typename T>
void backward_rows(const KernelsOf<T>& k, const T* y, const T* g, T* dx, int64_t rows, int64_t n, bool log) noexcept {
  if (log) k.unary(kExp, y, dx, rows * n, 0.0, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const T* yr = y + r * n;
    const T* gr = g + r * n;
    T* dr = dx + r * n;
    double acc = 0.0;
    if (log) {
      for (int64_t i = 0; i < n; ++i) acc += static_cast<double>(gr[i]);
      for (int64_t i = 0; i < n; ++i)
        dr[i] = static_cast<T>(static_cast<double>(gr[i]) - static_cast<double>(dr[i]) * acc);
    } else {
      for (int64_t i = 0; i < n; ++i) acc += static_cast<double>(gr[i]) * static_cast<double>(yr[i]);
      for (int64_t i = 0; i < n; ++i)
        dr[i] = static_cast<T>(static_cast<double>(yr[i]) * (static_cast<double>(gr[i]) - acc));
    }
  }
}

template <typename T>
void backward(const KernelsOf<T>& k, const T* y, const T* g, T* dx, int64_t outer, int64_t n, int64_t inner,
              bool log) noexcept {
  if (outer <= 0 || n <= 0 || inner <= 0) return;
  if (inner == 1) {
    const int64_t per = rows_per_chunk(n), chunks = (outer + per - 1) / per;
    for_items(chunks, outer * n, [&](int64_t q) {
      const int64_t r0 = q * per, rows = outer - r0 < per ? outer - r0 : per;
      backward_rows(k, y + r0 * n, g + r0 * n, dx + r0 * n, rows, n, log);
    });
    return;
  }
  const int64_t blocks = (inner + kCols - 1) / kCols;
  for_items(outer * blocks, outer * n * inner, [&](int64_t q) {
    const int64_t o = q / blocks, b = q % blocks;
    const int64_t off = o * n * inner, j0 = b * kCols;
    backward_cols(k, y + off, g + off, dx + off, n, inner, j0, inner - j0 < kCols ? inner - j0 : kCols, log);
  });
}

}  // namespace
}  // namespace ops

void softmax_f32(const float* x, float* y, int64_t outer, int64_t n, int64_t inner, bool log) noexcept {
  ops::forward(ops::kernel_table()->f32, x, y, outer, n, inner, log);
}
void softmax_f64(const double* x, double* y, int64_t outer, int64_t n, int64_t inner, bool log) noexcept {
  ops::forward(ops::kernel_table()->f64, x, y, outer, n, inner, log);
}
void softmax_backward_f32(const float* y, const float* g, float* dx, int64_t outer, int64_t n, int64_t inner,
                          bool log) noexcept {
  ops::backward(ops::kernel_table()->f32, y, g, dx, outer, n, inner, log);
}
void softmax_backward_f64(const double* y, const double* g, double* dx, int64_t outer, int64_t n, int64_t inner,
                          bool log) noexcept {
  ops::backward(ops::kernel_table()->f64, y, g, dx, outer, n, inner, log);
}

}  // namespace tapegrad

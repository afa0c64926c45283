// Elementwise ops: shape handling (dropping size-1 dims, merging contiguous dims), the odometer over
// the outer dims, threading, and dispatch to the per-ISA row kernels of kernels.h.
#include "tapegrad/elementwise.h"

#include <algorithm>

#include "ops/dispatch.h"
#include "ops/table.h"
#include "tapegrad/cpu.h"
#include "tapegrad/threads.h"

namespace tapegrad {
namespace ops {

const KernelTable* kernel_table() noexcept {
#if defined(__x86_64__) || defined(_M_X64)
  switch (active_isa()) {
    case Isa::Avx512: return kernel_table_avx512();
    case Isa::Avx2: return kernel_table_avx2();
    case Isa::Scalar: break;
  }
#endif
  return kernel_table_scalar();
}

namespace {

constexpr const char* kUnaryNames[] = {
    "neg",       "exp",           "log",       "sqrt",      "sin",       "cos",      "tanh",     "sigmoid",
    "relu",      "abs",           "powScalar", "addScalar", "mulScalar", "reluMask", "clamp",    "reciprocal",
    "square",    "sign",          "clampMask", "rsqrt",     "log1p",     "expm1",    "softplus", "softplusMask",
    "leakyRelu", "leakyReluGrad", "elu",       "geluTanh",  "silu",      "gelu",     "geluGrad"};
static_assert(sizeof(kUnaryNames) / sizeof(kUnaryNames[0]) == static_cast<size_t>(UnaryOp::Count),
              "one name per UnaryOp");
constexpr const char* kBinaryNames[] = {"add", "sub", "mul", "div", "pow", "maximum", "minimum"};
static_assert(sizeof(kBinaryNames) / sizeof(kBinaryNames[0]) == static_cast<size_t>(BinaryOp::Count),
              "one name per BinaryOp");

// Relative per-element cost, so that expensive ops go parallel at smaller sizes.
int64_t unary_cost(UnaryOp op) noexcept {
  switch (op) {
    case UnaryOp::Exp:
    case UnaryOp::Log:
    case UnaryOp::Sin:
    case UnaryOp::Cos:
    case UnaryOp::Tanh:
    case UnaryOp::Sigmoid:
    case UnaryOp::Log1p:
    case UnaryOp::Expm1:
    case UnaryOp::Softplus:
    case UnaryOp::Elu:
    case UnaryOp::GeluTanh:
    case UnaryOp::Silu: return 8;
    case UnaryOp::PowScalar:
    case UnaryOp::Gelu:
    case UnaryOp::GeluGrad: return 16;
    default: return 1;
  }
}

template <typename T>
void unary_run(const KernelsOf<T>& k, UnaryOp op, const T* x, T* out, int64_t n, double p0, double p1) noexcept {
  const int iop = static_cast<int>(op);
  if (iop < 0 || op >= UnaryOp::Count || n <= 0) return;
  const int tasks = tasks_for(n * unary_cost(op));
  if (tasks <= 1) {
    k.unary(iop, x, out, n, p0, p1);
    return;
  }
  parallel_for(tasks, [&](int t, int nt) {
    int64_t b, e;
    split_range(n, t, nt, 64, &b, &e);
    if (e > b) k.unary(iop, x + b, out + b, e - b, p0, p1);
  });
}

template <typename T>
void binary_run(const KernelsOf<T>& k, BinaryOp op, int ndim, const int64_t* shape, const T* a, const int64_t* as,
                const T* b, const int64_t* bs, T* out) noexcept {
  const int iop = static_cast<int>(op);
  if (iop < 0 || op >= BinaryOp::Count || ndim < 0 || ndim > 16) return;
  // Canonical form: size-1 dims dropped (their strides never matter), and dim d merged into the
  // previous one when both operands step through the pair as through one dim (out always does).
  int64_t sh[16], sa[16], sb[16];
  int m = 0;
  int64_t total = 1;
  for (int d = 0; d < ndim; ++d) {
    if (shape[d] <= 0) return;  // empty output
    total *= shape[d];
    if (shape[d] == 1) continue;
    if (m > 0 && sa[m - 1] == as[d] * shape[d] && sb[m - 1] == bs[d] * shape[d]) {
      sh[m - 1] *= shape[d];
      sa[m - 1] = as[d];
      sb[m - 1] = bs[d];
    } else {
      sh[m] = shape[d];
      sa[m] = as[d];
      sb[m] = bs[d];
      ++m;
    }
  }
  if (m == 0) {  // a single element
    k.binary_row(iop, a, 0, b, 0, out, 1);
    return;
  }
  // One run (contiguous operands, or a broadcast scalar) too small to split: the kernel directly, without
  // the odometer and its gather buffers (the common case of small tensors in a compiled plan).
  if (m == 1 && tasks_for(op == BinaryOp::Pow ? total * 16 : total) <= 1) {
    k.binary_row(iop, a, sa[0], b, sb[0], out, sh[0]);
    return;
  }
  const int64_t n = sh[m - 1], ia = sa[m - 1], ib = sb[m - 1];
  const int outer = m - 1;
  // Short rows (n < kShortRow) are batched: up to kBlock elements' worth of whole rows at a time, each
  // operand that is not already contiguous over them gathered into a stack buffer (a broadcast row is
  // gathered once and reused), so the kernel runs on long contiguous runs instead of one call per row.
  constexpr int64_t kShortRow = 64, kBlock = 1024;
  const int d2 = outer - 1;  // the dim the rows step along
  // Out elements [begin, end) in row-major order: whole rows of n plus partial first/last rows.
  auto run = [&](int64_t begin, int64_t end) {
    int64_t idx[16];
    int64_t oa = 0, ob = 0, r = begin / n, j = begin % n;
    for (int d = outer - 1; d >= 0; --d) {
      idx[d] = r % sh[d];
      r /= sh[d];
      oa += idx[d] * sa[d];
      ob += idx[d] * sb[d];
    }
    T buf_a[kBlock], buf_b[kBlock];
    int64_t cached_a = -1, cached_b = -1, cached_rows_a = 0, cached_rows_b = 0;
    // Gathers `rows` rows of an operand at offset off (row stride s2, element stride s1) unless they are
    // contiguous already; reuses the previous gather for a broadcast row (s2 = 0) at the same offset.
    auto block = [&](const T* p, int64_t off, int64_t s2, int64_t s1, int64_t rows, T* buf, int64_t& cached,
                     int64_t& cached_rows) -> const T* {
      if (s1 == 1 && s2 == n) return p + off;
      if (s2 == 0 && cached == off && cached_rows >= rows) return buf;
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t jj = 0; jj < n; ++jj) buf[i * n + jj] = p[off + i * s2 + jj * s1];
      cached = s2 == 0 ? off : -1;
      cached_rows = rows;
      return buf;
    };
    int64_t pos = begin;
    while (pos < end) {
      int64_t rows = 1;
      if (j == 0 && n < kShortRow && d2 >= 0) {
        rows = sh[d2] - idx[d2];
        if (rows > (end - pos) / n) rows = (end - pos) / n;
        if (rows > kBlock / n) rows = kBlock / n;
      }
      if (rows >= 2) {
        const T* pa = block(a, oa, sa[d2], ia, rows, buf_a, cached_a, cached_rows_a);
        const T* pb = block(b, ob, sb[d2], ib, rows, buf_b, cached_b, cached_rows_b);
        k.binary_row(iop, pa, 1, pb, 1, out + pos, rows * n);
        pos += rows * n;
      } else {
        const int64_t len = n - j < end - pos ? n - j : end - pos;
        k.binary_row(iop, a + oa + j * ia, ia, b + ob + j * ib, ib, out + pos, len);
        pos += len;
        j = 0;
        rows = 1;
      }
      // odometer over the outer dims: `rows` steps of dim d2 (never past its end), then carries
      if (d2 < 0) break;
      idx[d2] += rows;
      oa += rows * sa[d2];
      ob += rows * sb[d2];
      for (int d = d2; d >= 0 && idx[d] >= sh[d]; --d) {
        oa -= sa[d] * sh[d];
        ob -= sb[d] * sh[d];
        idx[d] = 0;
        if (d > 0) {
          ++idx[d - 1];
          oa += sa[d - 1];
          ob += sb[d - 1];
        }
      }
    }
  };
  const int tasks = tasks_for(op == BinaryOp::Pow ? total * 16 : total);
  if (tasks <= 1) {
    run(0, total);
    return;
  }
  parallel_for(tasks, [&](int t, int nt) {
    int64_t b0, e0;
    split_range(total, t, nt, 64, &b0, &e0);
    if (e0 > b0) run(b0, e0);
  });
}

template <typename T>
void program_run(const KernelsOf<T>& k, int64_t n, const ElementwiseStep* steps, int count, T* const* arrays,
                 const unsigned char* scalar) noexcept {
  if (n <= 0 || count <= 0) return;
  constexpr int64_t kBlock = 1024;  // a multiple of every vector width: blocks split rows as a call would
  auto run = [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; b += kBlock) {
      const int64_t len = end - b < kBlock ? end - b : kBlock;
      for (int s = 0; s < count; ++s) {
        const ElementwiseStep& st = steps[s];
        const T* a = arrays[st.in0] + (scalar[st.in0] ? 0 : b);
        T* out = arrays[st.out] + b;
        if (!st.binary) {
          k.unary(st.code, a, out, len, st.p0, st.p1);
        } else {
          const T* c = arrays[st.in1] + (scalar[st.in1] ? 0 : b);
          k.binary_row(st.code, a, scalar[st.in0] ? 0 : 1, c, scalar[st.in1] ? 0 : 1, out, len);
        }
      }
    }
  };
  // Threads split whole blocks: never more tasks than blocks (a small run stays on this thread, without
  // summing the cost of its steps: a long program on a few elements is all overhead otherwise).
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  if (blocks <= 1) {
    run(0, n);
    return;
  }
  int64_t cost = 0;
  for (int s = 0; s < count; ++s)
    cost += steps[s].binary ? (steps[s].code == static_cast<int>(BinaryOp::Pow) ? 16 : 1)
                            : unary_cost(static_cast<UnaryOp>(steps[s].code));
  const int tasks = static_cast<int>(std::min<int64_t>(tasks_for(n * cost), blocks));
  if (tasks <= 1) {
    run(0, n);
    return;
  }
  parallel_for(tasks, [&](int t, int nt) {
    int64_t b0, e0;
    split_range(n, t, nt, kBlock, &b0, &e0);
    if (e0 > b0) run(b0, e0);
  });
}

}  // namespace
}  // namespace ops

const char* unary_op_name(UnaryOp op) noexcept {
  const int i = static_cast<int>(op);
  return i >= 0 && op < UnaryOp::Count ? ops::kUnaryNames[i] : "";
}

const char* binary_op_name(BinaryOp op) noexcept {
  const int i = static_cast<int>(op);
  return i >= 0 && op < BinaryOp::Count ? ops::kBinaryNames[i] : "";
}

void unary_f32(UnaryOp op, const float* x, float* out, int64_t n, double p0, double p1) noexcept {
  ops::unary_run(ops::kernel_table()->f32, op, x, out, n, p0, p1);
}
void unary_f64(UnaryOp op, const double* x, double* out, int64_t n, double p0, double p1) noexcept {
  ops::unary_run(ops::kernel_table()->f64, op, x, out, n, p0, p1);
}

void binary_f32(BinaryOp op, int ndim, const int64_t* out_shape, const float* a, const int64_t* a_strides,
                const float* b, const int64_t* b_strides, float* out) noexcept {
  ops::binary_run(ops::kernel_table()->f32, op, ndim, out_shape, a, a_strides, b, b_strides, out);
}
void binary_f64(BinaryOp op, int ndim, const int64_t* out_shape, const double* a, const int64_t* a_strides,
                const double* b, const int64_t* b_strides, double* out) noexcept {
  ops::binary_run(ops::kernel_table()->f64, op, ndim, out_shape, a, a_strides, b, b_strides, out);
}

void elementwise_program_f32(int64_t n, const ElementwiseStep* steps, int count, float* const* arrays,
                             const unsigned char* scalar) noexcept {
  ops::program_run(ops::kernel_table()->f32, n, steps, count, arrays, scalar);
}
void elementwise_program_f64(int64_t n, const ElementwiseStep* steps, int count, double* const* arrays,
                             const unsigned char* scalar) noexcept {
  ops::program_run(ops::kernel_table()->f64, n, steps, count, arrays, scalar);
}

}  // namespace tapegrad

// GEMM against a naive double-precision reference: f32 and f64, every transpose combination (by
// strides), row- and column-major C, general-stride C, leading dimensions wider than the matrix,
// awkward shapes, α/β ≠ 1/0, β = 0 over NaN, k = 0, the bias epilogue, batched products with
// broadcast and overlapping outputs, 1 and 2 threads, and each kernel variant the host can run.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "tapegrad/cpu.h"
#include "tapegrad/gemm.h"
#include "tapegrad/threads.h"

using namespace tapegrad;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

std::mt19937_64& rng() {
  static std::mt19937_64 r(12345);
  return r;
}

template <typename T>
std::vector<T> random_vec(size_t n) {
  std::uniform_real_distribution<double> d(-1.0, 1.0);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(d(rng()));
  return v;
}

// A matrix rows×cols stored with strides (rs, cs) inside a buffer, row- or column-major with padding.
struct Layout {
  int64_t rs, cs, size;
};
Layout layout(int64_t rows, int64_t cols, bool col_major, int64_t pad) {
  if (col_major) {
    const int64_t ld = rows + pad;
    return {1, ld, ld * (cols > 0 ? cols : 1)};
  }
  const int64_t ld = cols + pad;
  return {ld, 1, ld * (rows > 0 ? rows : 1)};
}

template <typename T>
void gemm(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb,
          int64_t csb, T beta, T* c, int64_t rsc, int64_t csc, const T* bias) {
  if constexpr (sizeof(T) == 4) {
    if (bias != nullptr) gemm_bias_f32(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc, bias);
    else gemm_f32(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc);
  } else {
    if (bias != nullptr) gemm_bias_f64(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc, bias);
    else gemm_f64(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc);
  }
}

struct Case {
  int64_t m, n, k;
  bool ta, tb;  // A / B stored column-major (i.e. op = transpose of a row-major buffer)
  int c_mode;   // 0 row-major C, 1 column-major C, 2 general strides (neither unit)
  double alpha, beta;
  bool nan_c;  // fill C with NaN (only meaningful with beta = 0)
  bool bias;
  int64_t pad;
};

std::string describe(const Case& c, const char* type) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%s m=%lld n=%lld k=%lld ta=%d tb=%d c=%d alpha=%g beta=%g nan=%d bias=%d pad=%lld isa=%s threads=%d",
                type, (long long)c.m, (long long)c.n, (long long)c.k, c.ta, c.tb, c.c_mode, c.alpha, c.beta, c.nan_c,
                c.bias, (long long)c.pad, isa_name(active_isa()), get_num_threads());
  return buf;
}

template <typename T>
bool run_case(const Case& tc) {
  const Layout la = layout(tc.m, tc.k, tc.ta, tc.pad), lb = layout(tc.k, tc.n, tc.tb, tc.pad);
  Layout lc = layout(tc.m, tc.n, tc.c_mode == 1, tc.pad);
  if (tc.c_mode == 2) lc = {2 * (tc.n + tc.pad), 2, 2 * (tc.n + tc.pad) * (tc.m > 0 ? tc.m : 1)};
  const std::vector<T> a = random_vec<T>(la.size), b = random_vec<T>(lb.size), bias = random_vec<T>(tc.n + 1);
  std::vector<T> c = random_vec<T>(lc.size);
  if (tc.nan_c) std::fill(c.begin(), c.end(), std::numeric_limits<T>::quiet_NaN());
  const std::vector<T> c0 = c;
  gemm<T>(tc.m, tc.n, tc.k, static_cast<T>(tc.alpha), a.data(), la.rs, la.cs, b.data(), lb.rs, lb.cs,
          static_cast<T>(tc.beta), c.data(), lc.rs, lc.cs, tc.bias ? bias.data() : nullptr);
  const double eps = std::numeric_limits<T>::epsilon();
  std::vector<bool> touched(c.size(), false);
  for (int64_t i = 0; i < tc.m; ++i)
    for (int64_t j = 0; j < tc.n; ++j) {
      double acc = 0, mag = 0;
      for (int64_t p = 0; p < tc.k; ++p) {
        const double x = static_cast<double>(a[i * la.rs + p * la.cs]) * static_cast<double>(b[p * lb.rs + j * lb.cs]);
        acc += x;
        mag += std::fabs(x);
      }
      const size_t idx = static_cast<size_t>(i * lc.rs + j * lc.cs);
      touched[idx] = true;
      double want = tc.alpha * acc;
      mag = std::fabs(tc.alpha) * mag;
      if (tc.beta != 0) {
        want += tc.beta * static_cast<double>(c0[idx]);
        mag += std::fabs(tc.beta * static_cast<double>(c0[idx]));
      }
      if (tc.bias) {
        want += static_cast<double>(bias[j]);
        mag += std::fabs(static_cast<double>(bias[j]));
      }
      const double got = static_cast<double>(c[idx]);
      if (!(std::fabs(got - want) <= 2.0 * (static_cast<double>(tc.k) + 3.0) * eps * mag + 1e-30)) {
        ::check::fail(__FILE__, __LINE__,
                      describe(tc, sizeof(T) == 4 ? "f32" : "f64") + ": C(" + std::to_string(i) + "," +
                          std::to_string(j) + ") = " + std::to_string(got) + ", want " + std::to_string(want));
        return false;
      }
    }
  // Elements outside the matrix (padding) are untouched.
  for (size_t idx = 0; idx < c.size(); ++idx)
    if (!touched[idx] && !(c[idx] == c0[idx] || (std::isnan(c[idx]) && std::isnan(c0[idx])))) {
      ::check::fail(__FILE__, __LINE__, describe(tc, "") + ": padding element " + std::to_string(idx) + " written");
      return false;
    }
  return true;
}

const int64_t kShapes[] = {1, 2, 7, 15, 17, 31, 33, 63, 65, 127, 129, 255, 257};
constexpr int kNumShapes = sizeof(kShapes) / sizeof(kShapes[0]);

template <typename T>
void sweep() {
  const int max_shape = kSanitized ? 11 : kNumShapes;  // sanitizer build: up to 129
  for (int s = 0; s < max_shape; ++s) {
    // Square plus two skewed triples per shape, every transpose combination and C layout.
    const int64_t triples[3][3] = {{kShapes[s], kShapes[s], kShapes[s]},
                                   {kShapes[s], kShapes[(s + 3) % max_shape], kShapes[(s + 7) % max_shape]},
                                   {kShapes[(s + 5) % max_shape], kShapes[s], kShapes[(s + 2) % max_shape]}};
    for (const auto& t : triples)
      for (int mode = 0; mode < 12; ++mode) {
        Case c{t[0], t[1], t[2], (mode & 1) != 0, (mode & 2) != 0, mode >> 2, 1.0, 0.0, false, false, 0};
        // Vary α/β/padding/bias across the modes so every combination meets each shape class.
        if (mode % 3 == 1) {
          c.alpha = 1.5;
          c.beta = -0.5;
          c.pad = 3;
        }
        if (mode % 3 == 2) {
          c.alpha = -0.75;
          c.beta = 0;
          c.nan_c = true;
          c.bias = true;
          c.pad = 1;
        }
        if (!run_case<T>(c)) return;
      }
  }
}

const Isa kIsas[] = {Isa::Scalar, Isa::Avx2, Isa::Avx512};

template <typename F>
void for_each_isa_and_threads(F f) {
  const int saved = get_num_threads();
  for (Isa isa : kIsas) {
    if (static_cast<int>(isa) > static_cast<int>(hardware_isa())) {
      std::printf("  skipped: %s kernels (this CPU lacks them)\n", isa_name(isa));
      continue;
    }
    force_isa(isa);
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      f();
    }
  }
  force_isa(hardware_isa());
  set_num_threads(saved);
}

}  // namespace

TEST(gemm_f32_sweep) {
  for_each_isa_and_threads([] { sweep<float>(); });
}
TEST(gemm_f64_sweep) {
  for_each_isa_and_threads([] { sweep<double>(); });
}

TEST(gemm_large_1000) {
  for_each_isa_and_threads([] {
    if (get_num_threads() != 2) return;
    const int64_t n2 = kSanitized ? 65 : 1000, k = kSanitized ? 33 : 300;
    run_case<float>({1000, n2, k, false, false, 0, 1.0, 0.0, false, false, 0});
    run_case<double>({1000, n2, k, false, true, 0, 2.0, 1.0, false, true, 2});
    run_case<float>({n2, 1000, k, true, false, 1, 1.0, 0.5, false, true, 0});
  });
}

TEST(gemm_k0_and_alpha0) {
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    run_case<float>({17, 33, 0, false, false, 0, 1.0, 0.5, false, false, 0});
    run_case<float>({17, 33, 0, false, false, 0, 1.0, 0.0, true, true, 2});
    run_case<double>({65, 7, 0, true, true, 1, 1.0, -2.0, false, true, 0});
    run_case<double>({65, 7, 12, true, true, 2, 0.0, 0.0, true, false, 0});
  }
  set_num_threads(2);
  // α = 0: A and B are not read, so NaN there does not propagate (BLAS semantics).
  std::vector<float> a(6, std::numeric_limits<float>::quiet_NaN()), b(6, 1.0f), c(4, 2.0f);
  gemm_f32(2, 2, 3, 0.0f, a.data(), 3, 1, b.data(), 2, 1, 0.5f, c.data(), 2, 1);
  for (float x : c) CHECK(x == 1.0f);
}

TEST(gemm_empty_does_nothing) {
  float c = 7.0f;
  gemm_f32(0, 5, 5, 1.0f, nullptr, 5, 1, nullptr, 5, 1, 0.0f, &c, 5, 1);
  gemm_f32(5, 0, 5, 1.0f, nullptr, 5, 1, nullptr, 5, 1, 0.0f, &c, 5, 1);
  CHECK(c == 7.0f);
}

TEST(gemm_thread_count_does_not_change_result) {
  // The k loop is never split, so 1 and 2 threads give bitwise-identical results, whether the two
  // threads pack the shared operand together (A for a column split, B for a row split) or each packs
  // its own. Shapes with several blocks along every loop, transposed storage, the MLP's products.
  struct Shape {
    int64_t m, n, k;
    bool a_trans, b_trans;
  };
  const Shape shapes[] = {{300, 200, 700, false, false}, {200, 900, 1000, false, false}, {200, 900, 1000, true, true},
                          {700, 300, 900, true, false},  {128, 512, 784, false, true},   {512, 784, 128, true, false},
                          {256, 512, 128, false, false}, {2100, 64, 300, false, false},  {64, 2100, 300, false, true}};
  const int saved = get_num_threads();
  for (const Shape& s : shapes) {
    const std::vector<float> a = random_vec<float>(s.m * s.k), b = random_vec<float>(s.k * s.n);
    const int64_t rsa = s.a_trans ? 1 : s.k, csa = s.a_trans ? s.m : 1;
    const int64_t rsb = s.b_trans ? 1 : s.n, csb = s.b_trans ? s.k : 1;
    std::vector<float> c1(s.m * s.n), c2(s.m * s.n);
    set_num_threads(1);
    gemm_f32(s.m, s.n, s.k, 1.0f, a.data(), rsa, csa, b.data(), rsb, csb, 0.0f, c1.data(), s.n, 1);
    set_num_threads(2);
    gemm_f32(s.m, s.n, s.k, 1.0f, a.data(), rsa, csa, b.data(), rsb, csb, 0.0f, c2.data(), s.n, 1);
    if (c1 != c2)
      ::check::fail(
          __FILE__, __LINE__,
          "1 and 2 threads differ for " + std::to_string(s.m) + "x" + std::to_string(s.n) + "x" + std::to_string(s.k));
  }
  set_num_threads(saved);
}

// The fused epilogues give exactly what the separate kernels give: relu(C) (NaN kept, −0 → +0), and
// C·(mask > 0 ? 1 : 0) (so an infinite C where the mask is off gives NaN, as g·reluMask(y) does), with
// C row- or column-major (the product is then computed transposed), on 1 and 2 threads, every ISA.
// α = −1 with a zero row of A makes that row of C −0 (without bias), which relu must turn into +0.
template <typename T>
void fused_case(int64_t m, int64_t n, int64_t k, bool c_col_major, T alpha = 1) {
  std::vector<T> a = random_vec<T>(m * k), b = random_vec<T>(k * n), bias = random_vec<T>(n),
                 mask = random_vec<T>(m * n);
  if (k > 0) {
    a[0] = std::numeric_limits<T>::quiet_NaN();  // row 0 of C is NaN
    b[1] = std::numeric_limits<T>::infinity();   // column 1 of C is ±inf or NaN
    if (m > 2)
      for (int64_t p = 0; p < k; ++p) a[static_cast<size_t>(2 * k + p)] = T(0);  // row 2 of C is ±0
  }
  mask[static_cast<size_t>(m * n - 1)] = T(-0.0);                              // off
  mask[static_cast<size_t>(m * n / 2)] = std::numeric_limits<T>::quiet_NaN();  // off
  const int64_t rsc = c_col_major ? 1 : n, csc = c_col_major ? m : 1;
  std::vector<T> plain(m * n), relu(m * n), masked(m * n);
  auto product = [&](T* c, const T* bias_or_null, GemmEpilogue e, const T* mk) {
    if constexpr (sizeof(T) == 4)
      gemm_fused_f32(m, n, k, alpha, a.data(), k, 1, b.data(), n, 1, 0, c, rsc, csc, bias_or_null, e, mk, rsc, csc);
    else gemm_fused_f64(m, n, k, alpha, a.data(), k, 1, b.data(), n, 1, 0, c, rsc, csc, bias_or_null, e, mk, rsc, csc);
  };
  for (const T* bias_or_null : {static_cast<const T*>(bias.data()), static_cast<const T*>(nullptr)}) {
    product(plain.data(), bias_or_null, GemmEpilogue::kNone, nullptr);
    product(relu.data(), bias_or_null, GemmEpilogue::kRelu, nullptr);
    for (size_t i = 0; i < plain.size(); ++i) {
      const T v = plain[i];
      const T want = (v > T(0) || v != v) ? v : T(0);
      if (!(std::memcmp(&want, &relu[i], sizeof(T)) == 0)) ::check::fail(__FILE__, __LINE__, "relu epilogue differs");
    }
  }
  product(plain.data(), nullptr, GemmEpilogue::kNone, nullptr);
  product(masked.data(), nullptr, GemmEpilogue::kMaskPositive, mask.data());
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const size_t at = static_cast<size_t>(i * rsc + j * csc);
      const T want = plain[at] * (mask[at] > T(0) ? T(1) : T(0));
      const T got = masked[at];
      if (!(std::memcmp(&want, &got, sizeof(T)) == 0 || (want != want && got != got)))
        ::check::fail(__FILE__, __LINE__,
                      "mask epilogue differs at (" + std::to_string(i) + ", " + std::to_string(j) + ")");
    }
}

TEST(gemm_fused_epilogues) {
  for_each_isa_and_threads([] {
    fused_case<float>(37, 45, 29, false);
    fused_case<float>(37, 45, 29, true);
    fused_case<double>(128, 256, 300, false);  // several k slices: the epilogue waits for the last one
    fused_case<float>(5, 7, 0, false);         // k = 0: C is the bias (or 0), then the epilogue
    fused_case<float>(29, 70, 33, false, -1);  // −0 in C; full and partial vectors of 16 lanes
    fused_case<double>(29, 70, 33, false, -1);
  });
}

template <typename T>
void batched_case(bool overlap_c) {
  // batch 5: A broadcast (every product uses A #0 or #1), B per product, C per product.
  const int64_t m = 13, n = 9, k = 21, batch = 5;
  const std::vector<T> a = random_vec<T>(2 * m * k), b = random_vec<T>(batch * k * n);
  std::vector<T> c = random_vec<T>(batch * m * n);
  std::vector<int64_t> ao(batch), bo(batch), co(batch);
  for (int64_t t = 0; t < batch; ++t) {
    ao[t] = (t % 2) * m * k;
    bo[t] = t * k * n;
    co[t] = overlap_c ? (t % 2) * m * n : t * m * n;  // overlapping: products write the same C twice
  }
  std::vector<T> want = c;
  for (int64_t t = 0; t < batch; ++t)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t p = 0; p < k; ++p) acc += double(a[ao[t] + i * k + p]) * double(b[bo[t] + p * n + j]);
        T& w = want[co[t] + i * n + j];
        w = static_cast<T>(0.5 * acc + 0.25 * double(w));
      }
  if constexpr (sizeof(T) == 4)
    gemm_batched_f32(batch, m, n, k, 0.5f, a.data(), ao.data(), k, 1, b.data(), bo.data(), n, 1, 0.25f, c.data(),
                     co.data(), n, 1);
  else
    gemm_batched_f64(batch, m, n, k, 0.5, a.data(), ao.data(), k, 1, b.data(), bo.data(), n, 1, 0.25, c.data(),
                     co.data(), n, 1);
  for (size_t i = 0; i < c.size(); ++i) CHECK_CLOSE(c[i], want[i], sizeof(T) == 4 ? 1e-4 : 1e-12, 1e-4);
}

TEST(gemm_batched_broadcast_and_overlap) {
  for_each_isa_and_threads([] {
    batched_case<float>(false);
    batched_case<float>(true);
    batched_case<double>(false);
    batched_case<double>(true);
  });
}

TEST(concurrent_callers) {
  // Several threads (like Node worker_threads) calling gemm at once: each has its own packing
  // buffers, and the pool serialises their parallel jobs; every result must be exact.
  set_num_threads(2);
  const int64_t m = kSanitized ? 70 : 190, n = kSanitized ? 50 : 170, k = kSanitized ? 40 : 150;
  const std::vector<float> a = random_vec<float>(m * k), b = random_vec<float>(k * n);
  std::vector<float> want(m * n);
  gemm_f32(m, n, k, 1.0f, a.data(), k, 1, b.data(), n, 1, 0.0f, want.data(), n, 1);
  std::vector<std::vector<float>> got(4, std::vector<float>(m * n));
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&, t] {
      for (int rep = 0; rep < 20; ++rep)
        gemm_f32(m, n, k, 1.0f, a.data(), k, 1, b.data(), n, 1, 0.0f, got[t].data(), n, 1);
    });
  for (auto& c : callers) c.join();
  for (int t = 0; t < 4; ++t) CHECK(got[t] == want);
}

TEST(kernel_name_follows_force_isa) {
  force_isa(Isa::Scalar);
  CHECK(std::string(gemm_kernel_name()) == "scalar");
  force_isa(hardware_isa());
  CHECK(std::string(gemm_kernel_name()) == isa_name(hardware_isa()));
}

TEST_MAIN()

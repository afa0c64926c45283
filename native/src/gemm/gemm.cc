// The GEMM driver: the five BLIS loops around a packed micro-kernel, thread partitioning and the
// per-thread packing buffers. Baseline flags only: all ISA-specific code is behind the kernel tables
// (kernels.h) that ukernel_{scalar,avx2,avx512}.cc provide; this file only calls through pointers.
#include "tapegrad/gemm.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <type_traits>
#include <vector>

#include <sys/mman.h>

#include "gemm/kernels.h"
#include "tapegrad/cpu.h"
#include "tapegrad/threads.h"

namespace tapegrad {
namespace {

using gemm_detail::Kernels;
using gemm_detail::TileEpilogue;

template <typename T>
const Kernels<T>* select_kernels() noexcept;

template <>
const Kernels<float>* select_kernels<float>() noexcept {
  switch (active_isa()) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx512: return gemm_detail::kernels_f32_avx512();
    case Isa::Avx2: return gemm_detail::kernels_f32_avx2();
#endif
    default: return gemm_detail::kernels_f32_scalar();
  }
}

template <>
const Kernels<double>* select_kernels<double>() noexcept {
  switch (active_isa()) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx512: return gemm_detail::kernels_f64_avx512();
    case Isa::Avx2: return gemm_detail::kernels_f64_avx2();
#endif
    default: return gemm_detail::kernels_f64_scalar();
  }
}

// Tuning overrides (TAPEGRAD_GEMM_MC / _KC / _NC / _PAR_MIN), read once; 0 = the built-in value.
struct Overrides {
  int64_t mc = 0, kc = 0, nc = 0, par_min = 0;  // par_min: cube root of kParallelMinWork
};
const Overrides& overrides() noexcept {
  static const Overrides o = [] {
    Overrides r;
    auto get = [](const char* name) -> int64_t {
      const char* s = std::getenv(name);
      if (s == nullptr) return 0;
      const long v = std::strtol(s, nullptr, 10);
      return v > 0 && v <= (1 << 20) ? v : 0;
    };
    r.mc = get("TAPEGRAD_GEMM_MC");
    r.kc = get("TAPEGRAD_GEMM_KC");
    r.nc = get("TAPEGRAD_GEMM_NC");
    r.par_min = get("TAPEGRAD_GEMM_PAR_MIN");
    return r;
  }();
  return o;
}

// One growing buffer per thread (and per role): allocated on first use, grown when a larger block is
// needed, never shrunk. Large buffers are 2 MiB aligned and advised as huge pages so a fresh B block
// does not cost hundreds of page faults and TLB misses.
class Buffer {
 public:
  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() { std::free(ptr_); }
  void* get(size_t bytes) noexcept {
    if (bytes <= size_) return ptr_;
    std::free(ptr_);
    ptr_ = nullptr;
    size_ = 0;
    constexpr size_t kHuge = size_t{2} << 20;
    const size_t align = bytes >= kHuge ? kHuge : 64;
    const size_t rounded = (bytes + align - 1) / align * align;
    void* p = nullptr;
    if (posix_memalign(&p, align, rounded) != 0) return nullptr;
#ifdef MADV_HUGEPAGE
    if (align == kHuge) madvise(p, rounded, MADV_HUGEPAGE);
#endif
    ptr_ = p;
    size_ = rounded;
    return ptr_;
  }

 private:
  void* ptr_ = nullptr;
  size_t size_ = 0;
};

struct ThreadBuffers {
  Buffer a, b;
  Buffer shared;  // the operand a multi-threaded product packs once for all its threads (gemm_run)
};
ThreadBuffers& thread_buffers() noexcept {
  static thread_local ThreadBuffers buffers;
  return buffers;
}

int64_t ceil_div(int64_t x, int64_t y) { return (x + y - 1) / y; }
int64_t round_up(int64_t x, int64_t y) { return ceil_div(x, y) * y; }

template <typename T>
struct Problem {
  int64_t m, n, k;
  T alpha;
  const T* a;
  int64_t rsa, csa;
  const T* b;
  int64_t rsb, csb;
  T beta;
  T* c;
  int64_t rsc, csc;
  const T* bias;  // bias(i, j) = bias[i*brs + j*bcs], or null
  int64_t brs, bcs;
  GemmEpilogue epilogue = GemmEpilogue::kNone;
  const T* mask = nullptr;  // kMaskPositive's operand: mask(i, j) = mask[i*mrs + j*mcs]
  int64_t mrs = 0, mcs = 0;
};

// The epilogue on C's elements (i, j) for i in [i0, i0 + rows), j in [j0, j0 + cols), once they hold
// their final sum; the same expressions as the relu and reluMask·g kernels, so fusing changes no bit.
// Branch-free forms of the two epilogues (a data-dependent branch per element mispredicts half the
// time on real activations, costing more than the product's own tile). relu keeps v when v > 0 or v is
// NaN and stores +0 otherwise, by masking v's bits, so −0 and negative values give +0 exactly as the relu
// kernel does; the mask epilogue multiplies by (mask > 0) converted to 1 or 0, as g·reluMask(y) does.
template <typename T>
inline T relu_bits(T v) noexcept {
  using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  const U keep = static_cast<U>(0) - static_cast<U>((v > T(0)) | (v != v));
  U bits;
  std::memcpy(&bits, &v, sizeof(T));
  bits &= keep;
  std::memcpy(&v, &bits, sizeof(T));
  return v;
}

// 1 when m > 0, else 0, built from bits (no branch, no conversion the compiler could turn into one).
template <typename T>
inline T positive_as_one(T m) noexcept {
  using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  const T one = T(1);
  U bits;
  std::memcpy(&bits, &one, sizeof(T));
  bits &= static_cast<U>(0) - static_cast<U>(m > T(0));
  T r;
  std::memcpy(&r, &bits, sizeof(T));
  return r;
}

template <typename T>
void apply_epilogue(const Problem<T>& p, int64_t i0, int64_t rows, int64_t j0, int64_t cols) noexcept {
  if (p.epilogue == GemmEpilogue::kNone) return;
  const int64_t rsc = p.rsc, csc = p.csc, mrs = p.mrs, mcs = p.mcs;
  const bool relu = p.epilogue == GemmEpilogue::kRelu;
  for (int64_t i = i0; i < i0 + rows; ++i) {
    T* c = p.c + i * rsc + j0 * csc;
    if (relu) {
      for (int64_t j = 0; j < cols; ++j) c[j * csc] = relu_bits(c[j * csc]);
    } else {
      const T* m = p.mask + i * mrs + j0 * mcs;
      for (int64_t j = 0; j < cols; ++j) c[j * csc] = c[j * csc] * positive_as_one(m[j * mcs]);
    }
  }
}

// C ← β·C (+ bias) for the k == 0 / α == 0 cases; with β == 0, C is not read.
template <typename T>
void scale_c(const Problem<T>& p) noexcept {
  for (int64_t i = 0; i < p.m; ++i)
    for (int64_t j = 0; j < p.n; ++j) {
      T& x = p.c[i * p.rsc + j * p.csc];
      T v = p.beta == T(0) ? T(0) : p.beta * x;
      if (p.bias != nullptr) v += p.bias[i * p.brs + j * p.bcs];
      x = v;
    }
  apply_epilogue(p, 0, p.m, 0, p.n);
}

// Orient the problem so that C's columns are unit-stride when possible (the micro-kernel's vectors run
// along n): if instead C's rows are, compute Cᵀ = Bᵀ·Aᵀ, which only swaps strides.
template <typename T>
void orient(Problem<T>& p) noexcept {
  if (p.n == 1) p.csc = 1;  // never stepped along
  if (p.m == 1) p.rsc = 0;
  if (p.csc == 1) return;
  if (p.rsc == 1 || p.m == 1) {
    Problem<T> t = p;
    t.m = p.n;
    t.n = p.m;
    t.a = p.b;
    t.rsa = p.csb;
    t.csa = p.rsb;
    t.b = p.a;
    t.rsb = p.csa;
    t.csb = p.rsa;
    t.rsc = p.csc;
    t.csc = 1;
    t.brs = p.bcs;
    t.bcs = p.brs;
    t.mrs = p.mcs;
    t.mcs = p.mrs;
    p = t;
  }
}

// Software prefetch (to L2) of A(i, p) for i in [i0, i0 + rows), p in [p0, p0 + kc), for the two
// layouts packing streams from (row-major A, or its transpose); other strides are left alone.
template <typename T>
void prefetch_a_rows(const Problem<T>& p, int64_t i0, int64_t rows, int64_t p0, int64_t kc) noexcept {
  if (rows <= 0) return;
  constexpr int64_t kLine = 64 / sizeof(T);
  if (p.csa == 1) {
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = p.a + (i0 + r) * p.rsa + p0;
      for (int64_t q = 0; q < kc; q += kLine) __builtin_prefetch(row + q, 0, 2);
    }
  } else if (p.rsa == 1) {
    for (int64_t q = 0; q < kc; ++q) {
      const T* col = p.a + i0 + (p0 + q) * p.csa;
      __builtin_prefetch(col, 0, 2);
      __builtin_prefetch(col + rows - 1, 0, 2);
    }
  }
}

// Block sizes of the five loops for an m×n×k product.
struct Blocking {
  int64_t kc, mc, nc;
};

template <typename T>
Blocking blocking_for(const Kernels<T>& K, int64_t m, int64_t n, int64_t k) noexcept {
  const int64_t MR = K.mr, NR = K.nr;
  const Overrides& ov = overrides();
  const int64_t KC = ov.kc ? ov.kc : K.kc;
  const int64_t MC = ov.mc ? round_up(ov.mc, MR) : K.mc;
  const int64_t NC = ov.nc ? round_up(ov.nc, NR) : K.nc;
  // Balanced blocks: k = 300 runs as 2×150, not 256 + 44 (likewise m and n, in whole micro-tiles).
  return {ceil_div(k, ceil_div(k, KC)), round_up(ceil_div(m, ceil_div(m, MC)), MR),
          round_up(ceil_div(n, ceil_div(n, NC)), NR)};
}

// An operand packed once for every thread of a product (see gemm_run): all of A, as block (pc, ic)
// at a + (pc / kc * blocks_m + ic / mc) · mc·kc, or all of B, as block (jc, pc) at
// b + (jc / nc * blocks_k + pc / kc) · nc·kc; null for the operand each thread packs itself.
template <typename T>
struct SharedPacking {
  const T* a = nullptr;
  const T* b = nullptr;
  Blocking blk{};
  int64_t blocks_m = 0, blocks_k = 0;
};

// One thread's share: the five loops over a (sub)problem. p is oriented; C may have any csc (a
// non-unit csc goes through a small tile buffer). With `shared`, the operand it holds is read from
// there instead of being packed (the sub-problem then spans that operand's whole extent).
template <typename T>
void gemm_serial(const Kernels<T>& K, const Problem<T>& p, const SharedPacking<T>* shared = nullptr) noexcept {
  const int64_t MR = K.mr, NR = K.nr;
  const Blocking blk = blocking_for(K, p.m, p.n, p.k);
  const int64_t kc_blk = blk.kc, mc_blk = blk.mc, nc_blk = blk.nc;
  const bool shared_a = shared != nullptr && shared->a != nullptr;
  const bool shared_b = shared != nullptr && shared->b != nullptr;

  ThreadBuffers& tb = thread_buffers();
  T* abuf = shared_a ? nullptr : static_cast<T*>(tb.a.get(sizeof(T) * static_cast<size_t>(mc_blk * kc_blk)));
  T* bbuf = shared_b ? nullptr : static_cast<T*>(tb.b.get(sizeof(T) * static_cast<size_t>(nc_blk * kc_blk)));
  if ((!shared_a && abuf == nullptr) || (!shared_b && bbuf == nullptr)) {  // out of memory: slow but correct
    for (int64_t i = 0; i < p.m; ++i)
      for (int64_t j = 0; j < p.n; ++j) {
        T acc = 0;
        for (int64_t q = 0; q < p.k; ++q) acc += p.a[i * p.rsa + q * p.csa] * p.b[q * p.rsb + j * p.csb];
        T& x = p.c[i * p.rsc + j * p.csc];
        T v = p.alpha * acc + (p.beta == T(0) ? T(0) : p.beta * x);
        if (p.bias != nullptr) v += p.bias[i * p.brs + j * p.bcs];
        x = v;
      }
    apply_epilogue(p, 0, p.m, 0, p.n);
    return;
  }
  const bool unit = p.csc == 1;
  // The kernel table's vector epilogue needs unit-stride rows of C and of the mask.
  const bool vector_epilogue =
      unit && (p.epilogue == GemmEpilogue::kRelu || (p.epilogue == GemmEpilogue::kMaskPositive && p.mcs == 1));
  alignas(64) T tile[gemm_detail::kMaxMR * gemm_detail::kMaxNV * 16];

  // Loop 5 (JC): n in NC-wide blocks of B and C.
  for (int64_t jc = 0; jc < p.n; jc += nc_blk) {
    const int64_t nc = std::min(nc_blk, p.n - jc);
    // Loop 4 (PC): k in KC-deep slices — not parallel: every slice accumulates into the same C, so
    // splitting it would need a reduction. β and the bias apply with the first slice only.
    for (int64_t pc = 0; pc < p.k; pc += kc_blk) {
      const int64_t kc = std::min(kc_blk, p.k - pc);
      const T beta = pc == 0 ? p.beta : T(1);
      const bool first = pc == 0;
      const bool last = pc + kc >= p.k;
      const T* bblock = bbuf;
      if (shared_b)
        bblock = shared->b +
                 (jc / shared->blk.nc * shared->blocks_k + pc / shared->blk.kc) * shared->blk.nc * shared->blk.kc;
      else K.pack_b(kc, nc, p.b + pc * p.rsb + jc * p.csb, p.rsb, p.csb, bbuf);
      // Loop 3 (IC): m in MC-tall blocks of A (packed once, reused across all of B's block).
      for (int64_t ic = 0; ic < p.m; ic += mc_blk) {
        const int64_t mc = std::min(mc_blk, p.m - ic);
        const T* ablock = abuf;
        if (shared_a)
          ablock = shared->a +
                   (pc / shared->blk.kc * shared->blocks_m + ic / shared->blk.mc) * shared->blk.mc * shared->blk.kc;
        else K.pack_a(mc, kc, p.a + ic * p.rsa + pc * p.csa, p.rsa, p.csa, abuf);
        // Loop 2 (IR): MR-tall micro-panels of A (each stays in L1 for the whole row sweep).
        for (int64_t ir = 0; ir < mc; ir += MR) {
          const int mr = static_cast<int>(std::min(MR, mc - ir));
          const T* ap = ablock + ir * kc;
          const int64_t i = ic + ir;
          // While this row sweep computes, pull the matching slice of the NEXT A block toward L2, so
          // its packing does not wait on DRAM. Only for short sweeps (small n: the linear layer's
          // S = W·X reads all 64 MiB of W for 64 columns; measured +3%), where packing is not
          // amortised over many columns.
          if (!shared_a && nc <= 8 * NR && ic + mc_blk < p.m)
            prefetch_a_rows(p, ic + mc_blk + ir, std::min(MR, p.m - (ic + mc_blk + ir)), pc, kc);
          // Loop 1 (JR): NR-wide micro-panels of B (streamed from L2); the C tiles walk along C's
          // rows, which are contiguous: friendly to the hardware prefetcher and the TLB.
          for (int64_t jr = 0; jr < nc; jr += NR) {
            const int nr = static_cast<int>(std::min(NR, nc - jr));
            const int nvu = static_cast<int>(ceil_div(nr, K.vl));
            const T* bp = bblock + jr * kc;
            const int64_t j = jc + jr;
            const auto ukr = K.ukr[mr - 1][nvu - 1];
            if (unit) {
              const T* bias = first && p.bias != nullptr ? p.bias + i * p.brs + j * p.bcs : nullptr;
              ukr(kc, ap, bp, p.alpha, beta, p.c + i * p.rsc + j, p.rsc, nr, bias, p.brs, p.bcs);
              if (last && vector_epilogue)  // the tile is still in L1
                K.tile_epilogue(p.epilogue == GemmEpilogue::kRelu ? TileEpilogue::kRelu : TileEpilogue::kMaskPositive,
                                mr, nr, p.c + i * p.rsc + j, p.rsc,
                                p.mask == nullptr ? nullptr : p.mask + i * p.mrs + j, p.mrs);
              else if (last) apply_epilogue(p, i, mr, j, nr);
            } else {
              ukr(kc, ap, bp, p.alpha, T(0), tile, NR, nr, nullptr, 0, 0);
              for (int r = 0; r < mr; ++r)
                for (int q = 0; q < nr; ++q) {
                  T& x = p.c[(i + r) * p.rsc + (j + q) * p.csc];
                  T v = tile[r * NR + q] + (beta == T(0) ? T(0) : beta * x);
                  if (first && p.bias != nullptr) v += p.bias[(i + r) * p.brs + (j + q) * p.bcs];
                  x = v;
                }
              if (last) apply_epilogue(p, i, mr, j, nr);
            }
          }
        }
      }
    }
  }
}

// Below this many multiply-adds a product stays on one thread: waking a sleeping worker (futex +
// hypervisor IPI on a virtual machine) costs 10–30 µs, the time of a ~128³ product. Measured on a 2-core
// AVX-512 VM, 2 threads vs 1:
// 128³ ~145 vs ~190 GFLOP/s, 192³ ~180 vs ~195, 256³ ~320 vs ~195.
constexpr int64_t kParallelMinWork = int64_t{200} * 200 * 200;

template <typename T>
Problem<T> sub_rows(const Problem<T>& p, int64_t i0, int64_t i1) {
  Problem<T> s = p;
  s.m = i1 - i0;
  s.a = p.a + i0 * p.rsa;
  s.c = p.c + i0 * p.rsc;
  if (s.bias != nullptr) s.bias = p.bias + i0 * p.brs;
  if (s.mask != nullptr) s.mask = p.mask + i0 * p.mrs;
  return s;
}

template <typename T>
Problem<T> sub_cols(const Problem<T>& p, int64_t j0, int64_t j1) {
  Problem<T> s = p;
  s.n = j1 - j0;
  s.b = p.b + j0 * p.csb;
  s.c = p.c + j0 * p.csc;
  if (s.bias != nullptr) s.bias = p.bias + j0 * p.bcs;
  if (s.mask != nullptr) s.mask = p.mask + j0 * p.mcs;
  return s;
}

// Up to this many bytes, the operand every thread of a split product needs in full is packed once,
// by all threads together, instead of by each thread for itself. In the MLP step's products (m = 128,
// k = 128–784) that redundant packing was 10–15% of each thread's time; beyond a few MiB it is
// small next to the arithmetic, and the buffer would not stay in cache anyway.
constexpr size_t kSharedPackMaxBytes = size_t{4} << 20;

// Slices of the split operand per thread when the other operand is shared (see gemm_run).
constexpr int64_t kSlicesPerThread = 4;

// Micro-panels a thread claims at a time when packing a shared operand: few enough that two threads
// split even a one-block operand, enough that claiming costs nothing next to packing.
constexpr int64_t kPanelsPerRun = 4;

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Packs all of A (column split) or all of B (row split) into `buf` in SharedPacking's layout. Threads
// claim runs of a few micro-panels from `next` (so a thread that starts late finds the work done and
// one that starts alone does all of it), count them in `done`, then wait until every run is packed.
template <typename T>
void pack_shared(const Kernels<T>& K, const Problem<T>& p, const SharedPacking<T>& sp, T* buf,
                 std::atomic<int64_t>& next, std::atomic<int64_t>& done, int64_t runs_per_block,
                 int64_t total_runs) noexcept {
  const bool pack_a = sp.a != nullptr;
  const int64_t unit = pack_a ? K.mr : K.nr;
  for (;;) {
    const int64_t r = next.fetch_add(1, std::memory_order_relaxed);
    if (r >= total_runs) break;
    const int64_t block = r / runs_per_block, first = (r % runs_per_block) * kPanelsPerRun * unit;
    if (pack_a) {
      const int64_t pc = block / sp.blocks_m * sp.blk.kc, ic = block % sp.blocks_m * sp.blk.mc;
      const int64_t kc = std::min(sp.blk.kc, p.k - pc), mc = std::min(sp.blk.mc, p.m - ic);
      if (first < mc) {
        T* out = buf + block * sp.blk.mc * sp.blk.kc + first * kc;
        K.pack_a(std::min(kPanelsPerRun * unit, mc - first), kc, p.a + (ic + first) * p.rsa + pc * p.csa, p.rsa, p.csa,
                 out);
      }
    } else {
      const int64_t jc = block / sp.blocks_k * sp.blk.nc, pc = block % sp.blocks_k * sp.blk.kc;
      const int64_t kc = std::min(sp.blk.kc, p.k - pc), nc = std::min(sp.blk.nc, p.n - jc);
      if (first < nc) {
        T* out = buf + block * sp.blk.nc * sp.blk.kc + first * kc;
        K.pack_b(kc, std::min(kPanelsPerRun * unit, nc - first), p.b + pc * p.rsb + (jc + first) * p.csb, p.rsb, p.csb,
                 out);
      }
    }
    done.fetch_add(1, std::memory_order_release);
  }
  // Only runs another thread has claimed and is packing right now remain: a short wait.
  for (int spin = 1; done.load(std::memory_order_acquire) < total_runs; ++spin) {
    cpu_relax();
    if (spin % 1024 == 0) std::this_thread::yield();
  }
}

// Splits the oriented product over threads along loop 3 (IC, rows) or loop 5 (JC, columns),
// whichever is longer. Each thread packs its own blocks of the operand it splits; the other one,
// which every thread needs in full (B for a row split, A for a column split), is packed once by
// all of them together when it is small enough (kSharedPackMaxBytes), else by each for itself.
template <typename T>
void gemm_run(const Kernels<T>& K, const Problem<T>& p, bool allow_threads) noexcept {
  const double work = static_cast<double>(p.m) * static_cast<double>(p.n) * static_cast<double>(p.k);
  int nt = allow_threads ? get_num_threads() : 1;
  const int64_t pm = overrides().par_min;
  if (work < (pm ? static_cast<double>(pm) * pm * pm : static_cast<double>(kParallelMinWork))) nt = 1;
  const bool by_rows = p.m >= p.n;
  const int64_t len = by_rows ? p.m : p.n;
  const int64_t unit = by_rows ? K.mr : K.nr;
  const int64_t units = ceil_div(len, unit);
  if (nt > units) nt = static_cast<int>(units);
  if (nt <= 1) {
    gemm_serial(K, p);
    return;
  }
  SharedPacking<T> sp;
  sp.blk = blocking_for(K, p.m, p.n, p.k);
  sp.blocks_m = ceil_div(p.m, sp.blk.mc);
  sp.blocks_k = ceil_div(p.k, sp.blk.kc);
  const int64_t blocks_n = ceil_div(p.n, sp.blk.nc);
  const int64_t blocks = by_rows ? blocks_n * sp.blocks_k : sp.blocks_k * sp.blocks_m;
  const int64_t block_elems = (by_rows ? sp.blk.nc : sp.blk.mc) * sp.blk.kc;
  const size_t shared_bytes = sizeof(T) * static_cast<size_t>(blocks * block_elems);
  T* shared_buf = nullptr;
  if (shared_bytes <= kSharedPackMaxBytes) shared_buf = static_cast<T*>(thread_buffers().shared.get(shared_bytes));
  if (shared_buf != nullptr) (by_rows ? sp.b : sp.a) = shared_buf;
  const int64_t panels_per_block = ceil_div(by_rows ? sp.blk.nc : sp.blk.mc, by_rows ? K.nr : K.mr);
  const int64_t runs_per_block = ceil_div(panels_per_block, kPanelsPerRun);
  std::atomic<int64_t> next{0}, done{0};
  // With the shared operand packed once, slicing the split operand finer costs nothing extra, and the
  // pool hands slices to whichever thread is free: a thread the OS preempts (on a small machine, V8's
  // own background threads compete for the cores) delays the product by one slice, not by half of it.
  const int slices =
      shared_buf != nullptr ? static_cast<int>(std::min<int64_t>(units, int64_t{nt} * kSlicesPerThread)) : nt;

  parallel_for(slices, [&](int t, int tasks) {
    if (shared_buf != nullptr) pack_shared(K, p, sp, shared_buf, next, done, runs_per_block, blocks * runs_per_block);
    const int64_t u0 = units * t / tasks, u1 = units * (t + 1) / tasks;
    const int64_t x0 = std::min(len, u0 * unit), x1 = std::min(len, u1 * unit);
    if (x0 >= x1) return;
    gemm_serial(K, by_rows ? sub_rows(p, x0, x1) : sub_cols(p, x0, x1), shared_buf != nullptr ? &sp : nullptr);
  });
}

template <typename T>
void gemm_impl(Problem<T> p, bool allow_threads) noexcept {
  if (p.m <= 0 || p.n <= 0) return;
  if (p.k <= 0 || p.alpha == T(0)) {
    scale_c(p);
    return;
  }
  orient(p);
  gemm_run(*select_kernels<T>(), p, allow_threads);
}

template <typename T>
void gemm_batched_impl(int64_t batch, int64_t m, int64_t n, int64_t k, T alpha, const T* a, const int64_t* ao,
                       int64_t rsa, int64_t csa, const T* b, const int64_t* bo, int64_t rsb, int64_t csb, T beta, T* c,
                       const int64_t* co, int64_t rsc, int64_t csc) noexcept {
  if (batch <= 0 || m <= 0 || n <= 0) return;
  Problem<T> base{m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc, nullptr, 0, 1};
  auto product = [&](int64_t t) {
    Problem<T> p = base;
    p.a = a + ao[t];
    p.b = b + bo[t];
    p.c = c + co[t];
    return p;
  };
  const double work = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  // Whole products per thread when each is too small to split, or when there are enough of them to
  // keep every thread busy (cheaper than splitting each one).
  bool concurrent = batch > 1 && get_num_threads() > 1 &&
                    (work < static_cast<double>(kParallelMinWork) || batch >= 4 * int64_t{get_num_threads()});
  if (concurrent) {
    // Products may only run concurrently when their C matrices are disjoint in memory.
    const int64_t lo = std::min<int64_t>(0, (m - 1) * rsc) + std::min<int64_t>(0, (n - 1) * csc);
    const int64_t hi = std::max<int64_t>(0, (m - 1) * rsc) + std::max<int64_t>(0, (n - 1) * csc);
    std::vector<int64_t> offs(co, co + batch);
    std::sort(offs.begin(), offs.end());
    for (int64_t t = 0; t + 1 < batch && concurrent; ++t)
      if (offs[t] + hi >= offs[t + 1] + lo) concurrent = false;
  }
  if (!concurrent) {
    for (int64_t t = 0; t < batch; ++t) gemm_impl(product(t), true);
    return;
  }
  const int tasks = static_cast<int>(std::min<int64_t>(batch, get_num_threads()));
  parallel_for(tasks, [&](int task, int ntasks) {
    const int64_t t0 = batch * task / ntasks, t1 = batch * (task + 1) / ntasks;
    for (int64_t t = t0; t < t1; ++t) gemm_impl(product(t), false);
  });
}

}  // namespace

void gemm_f32(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t rsa, int64_t csa, const float* b,
              int64_t rsb, int64_t csb, float beta, float* c, int64_t rsc, int64_t csc) noexcept {
  gemm_impl(Problem<float>{m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc, nullptr, 0, 1}, true);
}

void gemm_f64(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t rsa, int64_t csa, const double* b,
              int64_t rsb, int64_t csb, double beta, double* c, int64_t rsc, int64_t csc) noexcept {
  gemm_impl(Problem<double>{m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc, nullptr, 0, 1}, true);
}

void gemm_bias_f32(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t rsa, int64_t csa,
                   const float* b, int64_t rsb, int64_t csb, float beta, float* c, int64_t rsc, int64_t csc,
                   const float* bias) noexcept {
  gemm_impl(Problem<float>{m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc, bias, 0, 1}, true);
}

void gemm_bias_f64(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t rsa, int64_t csa,
                   const double* b, int64_t rsb, int64_t csb, double beta, double* c, int64_t rsc, int64_t csc,
                   const double* bias) noexcept {
  gemm_impl(Problem<double>{m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc, bias, 0, 1}, true);
}

void gemm_batched_f32(int64_t batch, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                      const int64_t* a_offsets, int64_t rsa, int64_t csa, const float* b, const int64_t* b_offsets,
                      int64_t rsb, int64_t csb, float beta, float* c, const int64_t* c_offsets, int64_t rsc,
                      int64_t csc) noexcept {
  gemm_batched_impl(batch, m, n, k, alpha, a, a_offsets, rsa, csa, b, b_offsets, rsb, csb, beta, c, c_offsets, rsc,
                    csc);
}

void gemm_batched_f64(int64_t batch, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
                      const int64_t* a_offsets, int64_t rsa, int64_t csa, const double* b, const int64_t* b_offsets,
                      int64_t rsb, int64_t csb, double beta, double* c, const int64_t* c_offsets, int64_t rsc,
                      int64_t csc) noexcept {
  gemm_batched_impl(batch, m, n, k, alpha, a, a_offsets, rsa, csa, b, b_offsets, rsb, csb, beta, c, c_offsets, rsc,
                    csc);
}

void gemm_fused_f32(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t rsa, int64_t csa,
                    const float* b, int64_t rsb, int64_t csb, float beta, float* c, int64_t rsc, int64_t csc,
                    const float* bias, GemmEpilogue epilogue, const float* mask, int64_t mrs, int64_t mcs) noexcept {
  Problem<float> p{m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc, bias, 0, 1};
  p.epilogue = epilogue;
  p.mask = mask;
  p.mrs = mrs;
  p.mcs = mcs;
  gemm_impl(p, true);
}

void gemm_fused_f64(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t rsa, int64_t csa,
                    const double* b, int64_t rsb, int64_t csb, double beta, double* c, int64_t rsc, int64_t csc,
                    const double* bias, GemmEpilogue epilogue, const double* mask, int64_t mrs, int64_t mcs) noexcept {
  Problem<double> p{m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc, bias, 0, 1};
  p.epilogue = epilogue;
  p.mask = mask;
  p.mrs = mrs;
  p.mcs = mcs;
  gemm_impl(p, true);
}

const char* gemm_kernel_name() noexcept { return select_kernels<float>()->name; }

}  // namespace tapegrad

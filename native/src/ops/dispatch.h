// Shared helpers of elementwise.cc and reduce.cc: task splitting for the thread pool.
#pragma once
#include <cstdint>

#include "tapegrad/threads.h"

namespace tapegrad {
namespace ops {

// Below this much work (elements, weighted by per-element cost) a call stays on the calling thread:
// waking the pool costs microseconds, about what 64k cheap elements take.
constexpr int64_t kParallelWork = int64_t{1} << 16;

// How many tasks to split `work` into: 1 below kParallelWork, else one per thread.
inline int tasks_for(int64_t work) noexcept {
  if (work < kParallelWork) return 1;
  const int threads = get_num_threads();
  if (threads <= 1) return 1;
  const int64_t cap = work / (kParallelWork / 2);  // at least ~32k units of work per task
  return static_cast<int>(cap < threads ? cap : threads);
}

// [begin, end) of task t of nt over n items, boundaries rounded to multiples of `align`.
inline void split_range(int64_t n, int t, int nt, int64_t align, int64_t* begin, int64_t* end) noexcept {
  const int64_t blocks = (n + align - 1) / align;
  const int64_t b0 = blocks * t / nt, b1 = blocks * (t + 1) / nt;
  *begin = b0 * align < n ? b0 * align : n;
  *end = b1 * align < n ? b1 * align : n;
}

}  // namespace ops
}  // namespace tapegrad

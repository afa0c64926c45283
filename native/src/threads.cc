// PLACEHOLDER (serial) until the thread pool lands with the GEMM work.
#include "tapegrad/threads.h"

namespace tapegrad {
namespace { int g_threads = 1; }
int get_num_threads() noexcept { return g_threads; }
void set_num_threads(int n) noexcept { g_threads = n < 1 ? 1 : n; }
void parallel_for(int num_tasks, const std::function<void(int, int)>& body) noexcept {
  for (int t = 0; t < num_tasks; ++t) body(t, num_tasks);
}
}  // namespace tapegrad

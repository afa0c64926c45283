// The thread pool: every task runs exactly once, on up to get_num_threads() threads; nested calls run
// inline; a caller never waits for another caller's job (it runs its tasks itself, with bit-identical
// results); the setting is honoured.
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "check.h"
#include "tapegrad/gemm.h"
#include "tapegrad/reduce.h"
#include "tapegrad/threads.h"

using namespace tapegrad;

TEST(default_is_at_least_one) { CHECK(get_num_threads() >= 1); }

TEST(set_and_get) {
  const int saved = get_num_threads();
  set_num_threads(3);
  CHECK(get_num_threads() == 3);
  set_num_threads(0);  // clamped
  CHECK(get_num_threads() == 1);
  set_num_threads(saved);
}

TEST(every_task_once) {
  for (int threads : {1, 2, 4}) {
    set_num_threads(threads);
    for (int tasks : {0, 1, 2, 3, 17, 1000}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(tasks));
      for (auto& h : hits) h = 0;
      parallel_for(tasks, [&](int t, int n) {
        CHECK(n == tasks);
        hits[static_cast<size_t>(t)].fetch_add(1);
      });
      for (auto& h : hits) CHECK(h.load() == 1);
    }
  }
  set_num_threads(2);
}

TEST(uses_at_most_the_set_number_of_threads) {
  for (int threads : {1, 2, 3}) {
    set_num_threads(threads);
    std::mutex mu;
    for (int rep = 0; rep < 50; ++rep) {
      std::set<std::thread::id> ids;  // per job: which worker takes a slot may change between jobs
      parallel_for(64, [&](int, int) {
        volatile double x = 0;
        for (int i = 0; i < 2000; ++i) x = x + i;
        std::lock_guard<std::mutex> lk(mu);
        ids.insert(std::this_thread::get_id());
      });
      CHECK(static_cast<int>(ids.size()) <= threads);
      if (threads == 1) CHECK(ids.size() == 1 && *ids.begin() == std::this_thread::get_id());
    }
  }
  set_num_threads(2);
}

TEST(nested_calls_run_inline) {
  set_num_threads(2);
  std::atomic<int> inner{0};
  parallel_for(4, [&](int, int) {
    const std::thread::id outer = std::this_thread::get_id();
    parallel_for(8, [&](int, int) {
      CHECK(std::this_thread::get_id() == outer);
      inner.fetch_add(1);
    });
  });
  CHECK(inner.load() == 32);
}

TEST(concurrent_callers_each_run_every_task) {
  set_num_threads(2);
  std::atomic<long> total{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c)
    callers.emplace_back([&] {
      for (int rep = 0; rep < 200; ++rep) parallel_for(5, [&](int t, int) { total.fetch_add(t + 1); });
    });
  for (auto& t : callers) t.join();
  CHECK(total.load() == 4L * 200 * 15);
}

TEST(many_back_to_back_jobs) {
  set_num_threads(2);
  long sum = 0;
  std::mutex mu;
  for (int rep = 0; rep < 20000; ++rep)
    parallel_for(2, [&](int t, int) {
      std::lock_guard<std::mutex> lk(mu);
      sum += t;
    });
  CHECK(sum == 20000);
}

TEST(two_threads_really_run_concurrently) {
  // Each task waits (up to 5 s) until both have started: only possible if a worker took one of them.
  set_num_threads(2);
  for (int rep = 0; rep < 3; ++rep) {
    std::atomic<int> started{0};
    std::mutex mu;
    std::set<std::thread::id> ids;
    parallel_for(2, [&](int, int) {
      started.fetch_add(1);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (started.load() < 2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      std::lock_guard<std::mutex> lk(mu);
      ids.insert(std::this_thread::get_id());
    });
    CHECK(ids.size() == 2);
  }
}

// Holds the pool with a two-task job whose tasks wait until release() (or 10 s), on its own thread.
class PoolHolder {
 public:
  PoolHolder() {
    thread_ = std::thread([this] {
      parallel_for(2, [this](int, int) {
        started_.fetch_add(1);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!released_.load() && std::chrono::steady_clock::now() < deadline)
          std::this_thread::sleep_for(std::chrono::microseconds(100));
      });
      done_.store(true);
    });
    // The job holds the pool once one of its tasks has started.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (started_.load() == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  ~PoolHolder() {
    release();
    thread_.join();
  }
  void release() { released_.store(true); }
  bool done() const { return done_.load(); }

 private:
  std::atomic<int> started_{0};
  std::atomic<bool> released_{false}, done_{false};
  std::thread thread_;
};

TEST(a_second_caller_runs_its_tasks_itself_instead_of_waiting) {
  set_num_threads(2);
  PoolHolder holder;
  std::mutex mu;
  std::set<std::thread::id> ids;
  std::vector<int> order;
  parallel_for(6, [&](int t, int n) {
    CHECK(n == 6);
    std::lock_guard<std::mutex> lk(mu);
    ids.insert(std::this_thread::get_id());
    order.push_back(t);
  });
  // Returned while the other job still holds the pool, having run every task in order on this thread.
  CHECK(!holder.done());
  CHECK(ids.size() == 1 && *ids.begin() == std::this_thread::get_id());
  CHECK((order == std::vector<int>{0, 1, 2, 3, 4, 5}));
  // Nested calls inside such a task run inline too.
  std::atomic<int> inner{0};
  parallel_for(2, [&](int, int) {
    const std::thread::id outer = std::this_thread::get_id();
    parallel_for(3, [&](int, int) {
      CHECK(std::this_thread::get_id() == outer);
      inner.fetch_add(1);
    });
  });
  CHECK(inner.load() == 6);
  CHECK(!holder.done());
  holder.release();
}

TEST(a_caller_that_runs_inline_gets_bit_identical_results) {
  // Kernels that split their work over the pool: a product large enough to be split and a full sum,
  // which adds one partial sum per task (so the split, not the thread, decides the rounding).
  set_num_threads(2);
  const int64_t m = 320, n = 256, k = 160, len = int64_t{1} << 21;
  std::vector<float> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(k * n)), x(static_cast<size_t>(len));
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i)));
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(std::cos(0.11 * static_cast<double>(i)));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(std::sin(1e-3 * static_cast<double>(i))) + 0.25f;
  auto product = [&](std::vector<float>& c) {
    c.assign(static_cast<size_t>(m * n), 0.f);
    gemm_f32(m, n, k, 1.f, a.data(), k, 1, b.data(), n, 1, 0.f, c.data(), n, 1);
  };
  const int64_t shape[] = {len};
  auto sum = [&] {
    float out = 0;
    reduce_f32(ReduceOp::Sum, 1, shape, 1u, x.data(), &out);
    return out;
  };
  std::vector<float> pooled, inline_c, concurrent_c;
  product(pooled);
  const float pooled_sum = sum();
  {
    PoolHolder holder;  // every call below finds the pool busy
    product(inline_c);
    const float inline_sum = sum();
    CHECK(!holder.done());
    CHECK(std::memcmp(&inline_sum, &pooled_sum, sizeof(float)) == 0);
  }
  CHECK(std::memcmp(inline_c.data(), pooled.data(), pooled.size() * sizeof(float)) == 0);
  // Two threads calling at once, each sometimes in the pool and sometimes inline.
  std::atomic<int> mismatches{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 2; ++c)
    callers.emplace_back([&] {
      std::vector<float> mine;
      for (int rep = 0; rep < 8; ++rep) {
        product(mine);
        const float s = sum();
        if (std::memcmp(mine.data(), pooled.data(), pooled.size() * sizeof(float)) != 0) mismatches.fetch_add(1);
        if (std::memcmp(&s, &pooled_sum, sizeof(float)) != 0) mismatches.fetch_add(1);
      }
    });
  for (auto& t : callers) t.join();
  CHECK(mismatches.load() == 0);
}

TEST_MAIN()

// The thread pool: every task runs exactly once, on up to get_num_threads() threads; nested calls run
// inline; several callers at once are serialised; the setting is honoured.
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "check.h"
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

TEST(concurrent_callers_are_serialised) {
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

TEST_MAIN()

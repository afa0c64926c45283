// The process-wide thread pool: persistent workers that sleep on a condition variable between jobs,
// one job at a time, nested calls run inline. A caller that finds the pool running another caller's
// job (e.g. an async plan's product on a libuv thread while the main thread runs an eager kernel, or
// several Node worker_threads) runs all of its tasks itself instead of waiting for that job to end. A worker that has
// just finished a job watches for the next one for a short, bounded time before it sleeps (see worker_loop); an idle
// pool never spins.
#include "tapegrad/threads.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif

namespace tapegrad {
namespace {

// Physical cores available to this process: distinct (package, core) pairs among the CPUs in our
// affinity mask, read from sysfs; hardware_concurrency() (logical CPUs) when that is unavailable.
int physical_cores() noexcept {
  int logical = static_cast<int>(std::thread::hardware_concurrency());
  if (logical < 1) logical = 1;
#if defined(__linux__)
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof(mask), &mask) != 0) return logical;
  std::set<std::pair<int, int>> cores;
  int cpus = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &mask)) continue;
    ++cpus;
    auto read_int = [cpu](const char* leaf) {
      const std::string path = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/" + leaf;
      int v = -1;
      if (FILE* f = std::fopen(path.c_str(), "r")) {
        if (std::fscanf(f, "%d", &v) != 1) v = -1;
        std::fclose(f);
      }
      return v;
    };
    const int core = read_int("core_id"), pkg = read_int("physical_package_id");
    if (core < 0 || pkg < 0) return cpus > 0 ? std::max(1, std::min(logical, CPU_COUNT(&mask))) : logical;
    cores.insert({pkg, core});
  }
  if (!cores.empty()) return static_cast<int>(cores.size());
  return std::max(1, CPU_COUNT(&mask));
#else
  return logical;
#endif
}

int default_threads() noexcept {
  if (const char* env = std::getenv("TAPEGRAD_NUM_THREADS")) {
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v >= 1 && v <= 1024) return static_cast<int>(v);
  }
  return physical_cores();
}

// How long a worker watches for the next job after finishing one, in microseconds
// (TAPEGRAD_THREAD_SPIN_US, 0 to sleep at once). A training step issues its products back to back,
// a few microseconds of JavaScript apart, while waking a sleeping thread costs 10-30 us on virtual
// machines (a futex wake plus an inter-processor interrupt): as long as a 160^3 product. 50 us covers
// the gaps inside a step and costs at most that much CPU time per job when no job follows.
int64_t spin_ns() noexcept {
  static const int64_t ns = [] {
    if (const char* env = std::getenv("TAPEGRAD_THREAD_SPIN_US")) {
      char* end = nullptr;
      const long v = std::strtol(env, &end, 10);
      if (end != env && *end == '\0' && v >= 0 && v <= 100000) return int64_t{v} * 1000;
    }
    return int64_t{50} * 1000;
  }();
  return ns;
}

std::atomic<int>& thread_setting() noexcept {
  static std::atomic<int> n{default_threads()};
  return n;
}

thread_local bool t_in_parallel = false;

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

class Pool {
 public:
  // Runs body over num_tasks tasks on the caller plus up to helpers workers and returns true when all
  // are done; returns false at once, having run nothing, when another caller's job holds the pool.
  bool try_run(int num_tasks, int helpers, const std::function<void(int, int)>& body) noexcept {
    // One job at a time. An exchange rather than mutex::try_lock, which may fail spuriously.
    if (claimed_.exchange(true, std::memory_order_acquire)) return false;
    std::unique_lock<std::mutex> lk(mu_);
    ensure_workers(helpers);
    body_ = &body;
    num_tasks_ = num_tasks;
    next_.store(0, std::memory_order_relaxed);
    slots_ = helpers;
    generation_.store(generation_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    lk.unlock();
    cv_work_.notify_all();

    t_in_parallel = true;
    work();
    t_in_parallel = false;

    // Our share is done. If a worker is still computing, wait for it briefly on this core (it is
    // ours for the job anyway, and the worker runs on the other one) before sleeping: a futex wake
    // of a halted virtual CPU costs 10–30 µs on the 2-core VMs this was measured on, as much as a whole 160³ product.
    // Bounded
    // (~30 µs), and never done by idle workers, which always sleep.
    // Yields now and then in case the scheduler put the worker on this same core.
    for (int spin = 1; spin <= 2048 && active_.load(std::memory_order_acquire) > 0; ++spin) {
      cpu_relax();
      if (spin % 256 == 0) std::this_thread::yield();
    }

    lk.lock();
    slots_ = 0;  // late wakers must not join a finished job
    cv_done_.wait(lk, [this] { return busy_ == 0; });
    body_ = nullptr;
    lk.unlock();
    claimed_.store(false, std::memory_order_release);
    return true;
  }

 private:
  void ensure_workers(int n) {  // mu_ held
    while (static_cast<int>(workers_) < n) {
      try {
        // seen = the current generation: the thread joins the job about to start.
        std::thread(&Pool::worker_loop, this, generation_.load(std::memory_order_relaxed)).detach();
        ++workers_;
      } catch (...) {
        break;  // cannot start more threads: the caller does the remaining tasks itself
      }
    }
  }

  void work() noexcept {
    for (;;) {
      const int t = next_.fetch_add(1, std::memory_order_relaxed);
      if (t >= num_tasks_) return;
      (*body_)(t, num_tasks_);
    }
  }

  // seen: the generation current when the thread was created (before the job that needed it).
  void worker_loop(uint64_t seen) noexcept {
    t_in_parallel = true;  // a body's nested parallel_for runs inline on the worker
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      if (generation_.load(std::memory_order_acquire) == seen) {
        lk.unlock();
        watch_for_job(seen);
        lk.lock();
      }
      cv_work_.wait(lk, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
      seen = generation_.load(std::memory_order_relaxed);
      if (slots_ <= 0) continue;
      --slots_;
      ++busy_;
      active_.fetch_add(1, std::memory_order_relaxed);
      lk.unlock();
      work();
      lk.lock();
      active_.fetch_sub(1, std::memory_order_release);
      if (--busy_ == 0) cv_done_.notify_one();
    }
  }

  // Returns once a job newer than `seen` is posted or spin_ns() has passed, whichever comes first.
  void watch_for_job(uint64_t seen) const noexcept {
    const int64_t budget = spin_ns();
    if (budget <= 0) return;
    const auto start = std::chrono::steady_clock::now();
    for (int spin = 1;; ++spin) {
      if (generation_.load(std::memory_order_acquire) != seen) return;
      cpu_relax();
      if (spin % 64 == 0) {
        const auto elapsed = std::chrono::steady_clock::now() - start;
        if (std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count() >= budget) return;
      }
    }
  }

  std::atomic<bool> claimed_{false};  // a caller's job holds the pool (from posting it until it is done)
  std::mutex mu_;
  std::condition_variable cv_work_, cv_done_;
  std::atomic<uint64_t> generation_{0};  // written under mu_; read without it by watching workers
  int slots_ = 0, busy_ = 0;
  unsigned workers_ = 0;
  const std::function<void(int, int)>* body_ = nullptr;
  int num_tasks_ = 0;
  std::atomic<int> next_{0};
  std::atomic<int> active_{0};  // workers inside work() (mirrors busy_ for the caller's short wait)
};

// Never destroyed: detached workers may still be asleep on its condition variable at process exit.
Pool& pool() noexcept {
  static Pool* p = new Pool();
  return *p;
}

}  // namespace

int get_num_threads() noexcept { return thread_setting().load(std::memory_order_relaxed); }

void set_num_threads(int n) noexcept { thread_setting().store(n < 1 ? 1 : n, std::memory_order_relaxed); }

void parallel_for(int num_tasks, const std::function<void(int task, int num_tasks)>& body) noexcept {
  if (num_tasks <= 0) return;
  const int threads = get_num_threads();
  if (num_tasks == 1 || threads <= 1 || t_in_parallel) {
    for (int t = 0; t < num_tasks; ++t) body(t, num_tasks);
    return;
  }
  const int helpers = std::min(threads, num_tasks) - 1;
  if (pool().try_run(num_tasks, helpers, body)) return;
  // The pool is running another caller's job: do every task here, in order, rather than wait for it.
  // The split (num_tasks, fixed by the caller before this call) is the same and each task's result
  // depends only on (task, num_tasks), never on the thread that runs it, so the output is bit-identical
  // to a pooled run. Nested calls from the body run inline, as they would on a pool thread.
  t_in_parallel = true;
  for (int t = 0; t < num_tasks; ++t) body(t, num_tasks);
  t_in_parallel = false;
}

}  // namespace tapegrad

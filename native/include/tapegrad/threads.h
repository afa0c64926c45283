// The process-wide thread pool. Workers sleep between jobs (no spinning: on a 2-core machine a
// spinning waiter steals the core the work needs).
#pragma once
#include <cstdint>
#include <functional>

namespace tapegrad {

// Number of threads a parallel job may use (the caller counts as one). Defaults to the number of
// physical cores, or TAPEGRAD_NUM_THREADS when set.
int get_num_threads() noexcept;
// n >= 1; larger values are accepted (oversubscription is the caller's choice).
void set_num_threads(int n) noexcept;

// Calls body(task, num_tasks) for task in [0, num_tasks) on up to get_num_threads() threads and
// returns when all calls have returned. Runs inline when num_tasks <= 1 or one thread is set.
// Nested calls from inside a body run inline. body must not throw.
// The pool runs one job at a time. A caller that finds it running another caller's job (another
// thread: a libuv thread running an async plan, a Node worker_thread) never waits for that job: it
// runs all num_tasks tasks itself, in order, on its own thread. The tasks are the same either way,
// so a body whose task t depends only on (t, num_tasks) gives bit-identical results. Workers are
// started on first need and then sleep on a condition variable between jobs (no spinning).
void parallel_for(int num_tasks, const std::function<void(int task, int num_tasks)>& body) noexcept;

}  // namespace tapegrad

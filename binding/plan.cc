// Plans: a captured sequence of kernel calls, replayed in one call into native code.
//   planBegin()                     starts capturing on this thread (one Node environment)
//   planEnd() -> plan               ends the capture; the plan is an opaque object
//   planAbort()                     ends a capture, discarding it (nothing to do without one)
//   planRun(plan)                   runs the calls in order, on this thread
//   planRunAsync(plan) -> Promise   runs them on a libuv thread; settles back on this thread
//   planDispose(plan)               releases the calls and buffers now (idempotent)
//   planInfo(plan) -> { calls, buffers, busy, disposed }
//
// While a capture is active, every kernel binding checks its arguments as it always does, then hands
// its kernel call to capture() (plan.h) instead of running it. A thunk holds raw pointers into the
// ArrayBuffers of its typed arrays, so the plan holds a strong reference to each of those buffers (the
// memory cannot be collected while the plan lives) and, before every run, checks that none has been
// detached or resized since the capture: detaching (giveBlock, a transfer) is the one way JavaScript
// can take memory from under a live buffer. Everything else the thunks use was copied at capture.
//
// An async run checks the same on this thread, then runs the thunks on a libuv thread, with the
// event loop free. The plan is busy until the promise settles: running it again throws, and
// giveBlock leaves its buffers attached (the pool must not hand those blocks to anyone else mid-run).
// JavaScript can still transfer a plain ArrayBuffer the running plan uses; the library's compile layer
// locks the tensors it binds until the run settles.
#include "plan.h"

#include <napi.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "args.h"

namespace tapegrad_binding {
namespace {

// An ArrayBuffer a plan's thunks point into.
struct BufferUse {
  napi_ref ref = nullptr;  // strong: the buffer, and the memory the thunks point into, stay alive
  void* data = nullptr;    // data and byte length at capture, compared before each run
  size_t bytes = 0;
  bool shared = false;  // a SharedArrayBuffer: never detached, never shrinks, so not checked
};

struct Plan {
  std::vector<Thunk> thunks;
  std::vector<BufferUse> buffers;
  bool busy = false;  // a planRunAsync is in flight
  bool disposed = false;
};

void release(node_api_basic_env env, Plan& plan) noexcept {
  for (BufferUse& b : plan.buffers)
    if (b.ref != nullptr) napi_delete_reference(env, b.ref);
  std::vector<BufferUse>().swap(plan.buffers);
  std::vector<Thunk>().swap(plan.thunks);
}

void check(napi_env env, napi_status status, const char* what) {
  if (status != napi_ok) throw Napi::Error::New(env, std::string(what) + " failed");
}

// ---- capture ----------------------------------------------------------------------------------------

struct Capture {
  napi_env env;
  Plan plan;
  std::unordered_map<const void*, std::vector<size_t>> by_data;  // buffer data -> indices in plan.buffers
};

// The capture in force on this thread. Each Node environment (the main thread, each worker_thread) runs
// on its own thread, so captures of different environments never see each other.
thread_local Capture* t_capture = nullptr;

// ArrayBuffer data pointer -> how many running async plans (started on this thread) use that buffer.
thread_local std::unordered_map<const void*, int> t_pinned;

// An environment torn down mid-capture (a worker_thread terminated between planBegin and planEnd).
void on_env_cleanup(void* arg) {
  Capture* c = static_cast<Capture*>(arg);
  release(c->env, c->plan);
  if (t_capture == c) t_capture = nullptr;
  delete c;
}

// Takes the active capture off this thread.
std::unique_ptr<Capture> end_capture(napi_env env) {
  std::unique_ptr<Capture> c(t_capture);
  t_capture = nullptr;
  if (c) napi_remove_env_cleanup_hook(env, on_env_cleanup, c.get());
  return c;
}

// Adds the ArrayBuffer under typed array `array` to the capture's buffers, once.
void add_buffer(Capture& c, napi_env env, napi_value array) {
  napi_value buffer;
  void* data = nullptr;
  size_t byte_offset = 0;
  check(env, napi_get_typedarray_info(env, array, nullptr, nullptr, &data, &buffer, &byte_offset),
        "capture: napi_get_typedarray_info");
  BufferUse use;
  bool is_array_buffer = false;
  check(env, napi_is_arraybuffer(env, buffer, &is_array_buffer), "capture: napi_is_arraybuffer");
  if (is_array_buffer) {
    check(env, napi_get_arraybuffer_info(env, buffer, &use.data, &use.bytes), "capture: napi_get_arraybuffer_info");
  } else {
    use.shared = true;
    use.data = static_cast<char*>(data) - byte_offset;
  }
  std::vector<size_t>& same = c.by_data[use.data];
  for (size_t j : same) {  // the same data pointer: the same buffer, unless one of them is empty
    napi_value other;
    bool equal = false;
    check(env, napi_get_reference_value(env, c.plan.buffers[j].ref, &other), "capture: napi_get_reference_value");
    check(env, napi_strict_equals(env, buffer, other, &equal), "capture: napi_strict_equals");
    if (equal) return;
  }
  check(env, napi_create_reference(env, buffer, 1, &use.ref), "capture: napi_create_reference");
  same.push_back(c.plan.buffers.size());
  c.plan.buffers.push_back(use);
}

// ---- the plan object ----------------------------------------------------------------------------------

// A plan object is an External over its Plan: reading it back is one cheap call (no property lookup, as
// a type tag or napi_unwrap would need), which keeps planRun's fixed cost low. The plans alive on this
// thread are listed, so that an External from anywhere else is refused.
thread_local std::unordered_set<const Plan*> t_plans;

void finalize_plan(node_api_basic_env env, void* data, void* /*hint*/) {
  // Never busy here: an async run holds a strong reference to the plan object until it settles.
  Plan* plan = static_cast<Plan*>(data);
  t_plans.erase(plan);
  release(env, *plan);
  delete plan;
}

// Argument 0 as a plan, for fn; throws a TypeError for anything else.
Plan& get_plan(const Napi::CallbackInfo& info, const char* fn) {
  void* data = nullptr;
  if (napi_get_value_external(info.Env(), info[0], &data) != napi_ok || t_plans.count(static_cast<Plan*>(data)) == 0)
    throw_type(info.Env(), fn, 0, "a plan from planEnd", info[0]);
  return *static_cast<Plan*>(data);
}

// Everything a run needs before it starts: not disposed, not running, no capture in progress, and
// every buffer still attached with the length it had at capture.
void check_runnable(napi_env env, const Plan& plan, const char* fn) {
  if (plan.busy) throw Napi::Error::New(env, "planRun: the plan is already running");
  if (plan.disposed) throw Napi::Error::New(env, "planRun: the plan was disposed");
  if (t_capture != nullptr)
    throw Napi::Error::New(env, std::string(fn) +
                                    ": a capture is active on this thread; a plan cannot run inside a capture "
                                    "(call planEnd or planAbort first)");
  for (const BufferUse& b : plan.buffers) {
    if (b.shared) continue;
    napi_value buffer;
    void* data = nullptr;
    size_t bytes = 0;
    check(env, napi_get_reference_value(env, b.ref, &buffer), "planRun: napi_get_reference_value");
    check(env, napi_get_arraybuffer_info(env, buffer, &data, &bytes), "planRun: napi_get_arraybuffer_info");
    if (data == b.data && bytes == b.bytes) continue;
    bool detached = false;
    napi_is_detached_arraybuffer(env, buffer, &detached);
    if (detached || data == nullptr)
      throw Napi::Error::New(env, "planRun: a buffer the plan uses was released (detached) since it was recorded");
    throw Napi::Error::New(env, "planRun: a buffer the plan uses was resized since it was recorded (" +
                                    std::to_string(b.bytes) + " bytes then, " + std::to_string(bytes) + " now)");
  }
}

// Why a run stopped: a RangeError for a check a thunk repeats (PlanRunError), an Error otherwise.
struct RunError {
  std::string message;  // empty: the run completed
  bool range = false;
};

// Runs every thunk in order; on an error the calls before it have run and the rest do not.
RunError run_thunks(const Plan& plan) noexcept {
  size_t i = 0;
  const auto where = [&] {
    return "planRun: call " + std::to_string(i) + " of " + std::to_string(plan.thunks.size()) + " stopped the run: ";
  };
  RunError error;
  try {
    for (; i < plan.thunks.size(); ++i) plan.thunks[i]();
  } catch (const std::exception& e) {  // thunks throw PlanRunError, or std::bad_alloc; kernels are noexcept
    error.message = where() + e.what();
    error.range = dynamic_cast<const PlanRunError*>(&e) != nullptr;
  }
  return error;
}

napi_value make_error(napi_env env, const RunError& e) {
  napi_value message, error = nullptr;
  napi_create_string_utf8(env, e.message.c_str(), e.message.size(), &message);
  const napi_status status = e.range ? napi_create_range_error(env, nullptr, message, &error)
                                     : napi_create_error(env, nullptr, message, &error);
  if (status != napi_ok) napi_get_undefined(env, &error);
  return error;
}

// ---- the exported functions --------------------------------------------------------------------------

Napi::Value plan_begin(const Napi::CallbackInfo& info) {
  const napi_env env = info.Env();
  if (t_capture != nullptr)
    throw Napi::Error::New(
        env, "planBegin: a capture is already active on this thread (end it with planEnd or planAbort first)");
  auto c = std::make_unique<Capture>();
  c->env = env;
  check(env, napi_add_env_cleanup_hook(env, on_env_cleanup, c.get()), "planBegin: napi_add_env_cleanup_hook");
  t_capture = c.release();
  return info.Env().Undefined();
}

Napi::Value plan_end(const Napi::CallbackInfo& info) {
  const napi_env env = info.Env();
  std::unique_ptr<Capture> c = end_capture(env);
  if (!c) throw Napi::Error::New(env, "planEnd: no capture is active on this thread (call planBegin first)");
  auto plan = std::make_unique<Plan>();
  plan->thunks = std::move(c->plan.thunks);
  plan->buffers = std::move(c->plan.buffers);
  c.reset();
  t_plans.insert(plan.get());
  napi_value obj;
  const napi_status status = napi_create_external(env, plan.get(), finalize_plan, nullptr, &obj);
  if (status != napi_ok) {
    t_plans.erase(plan.get());
    release(env, *plan);
    check(env, status, "planEnd: napi_create_external");
  }
  plan.release();  // owned by obj now
  return Napi::Value(env, obj);
}

Napi::Value plan_abort(const Napi::CallbackInfo& info) {
  const napi_env env = info.Env();
  std::unique_ptr<Capture> c = end_capture(env);
  if (c) release(env, c->plan);
  return info.Env().Undefined();
}

Napi::Value plan_run(const Napi::CallbackInfo& info) {
  const napi_env env = info.Env();
  const Plan& plan = get_plan(info, "planRun");
  check_runnable(env, plan, "planRun");
  const RunError error = run_thunks(plan);
  if (!error.message.empty()) throw Napi::Error(env, make_error(env, error));
  return info.Env().Undefined();
}

// One planRunAsync in flight.
struct AsyncRun {
  Plan* plan;
  napi_ref plan_ref = nullptr;  // strong, until the run settles: the plan object cannot be collected
  napi_deferred deferred = nullptr;
  napi_async_work work = nullptr;
  RunError error;
};

void pin(const Plan& plan, int delta) {
  for (const BufferUse& b : plan.buffers) {
    if (b.shared || b.data == nullptr) continue;
    auto it = t_pinned.emplace(b.data, 0).first;
    if ((it->second += delta) <= 0) t_pinned.erase(it);
  }
}

void execute_async(napi_env /*env*/, void* data) {  // on a libuv thread: no Node-API here
  AsyncRun* run = static_cast<AsyncRun*>(data);
  run->error = run_thunks(*run->plan);
}

void complete_async(napi_env env, napi_status status, void* data) {  // back on the plan's thread
  std::unique_ptr<AsyncRun> run(static_cast<AsyncRun*>(data));
  Plan& plan = *run->plan;
  pin(plan, -1);
  plan.busy = false;
  if (plan.disposed) release(env, plan);  // planDispose during the run
  napi_delete_reference(env, run->plan_ref);
  napi_delete_async_work(env, run->work);
  if (status != napi_ok && run->error.message.empty())
    run->error = {status == napi_cancelled ? "planRunAsync: the run was cancelled (the environment is shutting down)"
                                           : "planRunAsync: the run failed to complete",
                  false};
  if (run->error.message.empty()) {
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    napi_resolve_deferred(env, run->deferred, undefined);
  } else {
    napi_reject_deferred(env, run->deferred, make_error(env, run->error));
  }
}

Napi::Value plan_run_async(const Napi::CallbackInfo& info) {
  const napi_env env = info.Env();
  Plan& plan = get_plan(info, "planRunAsync");
  check_runnable(env, plan, "planRunAsync");
  auto run = std::make_unique<AsyncRun>();
  run->plan = &plan;
  napi_value promise, name;
  check(env, napi_create_promise(env, &run->deferred, &promise), "planRunAsync: napi_create_promise");
  // From here on the promise exists: a failure must settle it, and release what was taken.
  napi_status status = napi_create_reference(env, info[0], 1, &run->plan_ref);
  if (status == napi_ok) status = napi_create_string_utf8(env, "tapegrad.planRunAsync", NAPI_AUTO_LENGTH, &name);
  if (status == napi_ok)
    status = napi_create_async_work(env, nullptr, name, execute_async, complete_async, run.get(), &run->work);
  if (status == napi_ok) status = napi_queue_async_work(env, run->work);
  if (status != napi_ok) {
    if (run->work != nullptr) napi_delete_async_work(env, run->work);
    if (run->plan_ref != nullptr) napi_delete_reference(env, run->plan_ref);
    napi_reject_deferred(env, run->deferred,
                         make_error(env, {"planRunAsync: could not queue the run on the libuv thread pool", false}));
    return Napi::Value(env, promise);
  }
  plan.busy = true;
  pin(plan, +1);
  run.release();  // complete_async owns it
  return Napi::Value(env, promise);
}

Napi::Value plan_dispose(const Napi::CallbackInfo& info) {
  Plan& plan = get_plan(info, "planDispose");
  if (plan.disposed) return info.Env().Undefined();
  plan.disposed = true;
  // While an async run uses them, the thunks and buffers are released when it settles (complete_async).
  if (!plan.busy) release(info.Env(), plan);
  return info.Env().Undefined();
}

Napi::Value plan_info(const Napi::CallbackInfo& info) {
  const Plan& plan = get_plan(info, "planInfo");
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("calls", static_cast<double>(plan.thunks.size()));
  out.Set("buffers", static_cast<double>(plan.buffers.size()));
  out.Set("busy", plan.busy);
  out.Set("disposed", plan.disposed);
  return out;
}

}  // namespace

bool capturing() noexcept { return t_capture != nullptr; }

void capture(const Napi::CallbackInfo& info, std::initializer_list<size_t> arrays, Thunk thunk) {
  Capture& c = *t_capture;
  const napi_env env = info.Env();
  for (size_t i : arrays) {
    if (i >= info.Length()) continue;
    const napi_value v = info[i];
    napi_valuetype type;
    check(env, napi_typeof(env, v, &type), "capture: napi_typeof");
    if (type == napi_undefined || type == napi_null) continue;
    add_buffer(c, env, v);
  }
  c.plan.thunks.push_back(std::move(thunk));
}

void capture_values(napi_env env, const std::vector<napi_value>& arrays, Thunk thunk) {
  Capture& c = *t_capture;
  for (napi_value v : arrays) add_buffer(c, env, v);
  c.plan.thunks.push_back(std::move(thunk));
}

bool pinned_by_running_plan(const void* data) noexcept { return data != nullptr && t_pinned.count(data) != 0; }

void register_plan(Napi::Env env, Napi::Object exports) {
  exports.Set("planBegin", Napi::Function::New(env, plan_begin, "planBegin"));
  exports.Set("planEnd", Napi::Function::New(env, plan_end, "planEnd"));
  exports.Set("planAbort", Napi::Function::New(env, plan_abort, "planAbort"));
  exports.Set("planRun", Napi::Function::New(env, plan_run, "planRun"));
  exports.Set("planRunAsync", Napi::Function::New(env, plan_run_async, "planRunAsync"));
  exports.Set("planDispose", Napi::Function::New(env, plan_dispose, "planDispose"));
  exports.Set("planInfo", Napi::Function::New(env, plan_info, "planInfo"));
}

}  // namespace tapegrad_binding

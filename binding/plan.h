// Plan capture, for the kernel glue (binding/plan.cc has the plan functions themselves).
//
// While native.planBegin() is in force on a thread (one Node environment), every kernel binding checks
// its arguments exactly as it always does and then, instead of calling its kernel, hands the call to
// capture() as a thunk: a lambda holding the already-checked raw pointers, sizes, strides and scalars.
// The pattern in each binding is
//   auto run = [=] { tapegrad::kernel(...); };
//   if (capturing()) return capture(info, {indices of the arrays the thunk points into}, std::move(run));
//   run();
#pragma once
#include <napi.h>

#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <vector>

namespace tapegrad_binding {

// A recorded kernel call. It may throw PlanRunError; it must not touch Node-API (async plans run it on a
// libuv thread).
using Thunk = std::function<void()>;

// A check a thunk repeats at each run because it depends on array contents the plan does not own (class
// indices of a cross-entropy target: new labels each step). The message reads like the binding's own,
// "fn: argument i ...".
struct PlanRunError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Is a capture active on this thread?
bool capturing() noexcept;

// Appends thunk to the active capture. arrays: the indices of the arguments whose typed arrays the thunk
// points into (null/undefined arguments are skipped). The plan holds their ArrayBuffers alive and checks
// before each run that none has been detached. Arrays whose contents the binding copied (gemmBatched's
// offsets, binary's strides) are not listed: the plan keeps its copy.
void capture(const Napi::CallbackInfo& info, std::initializer_list<size_t> arrays, Thunk thunk);

// capture() for a binding whose typed arrays are not top-level arguments (elementwiseProgram's list).
void capture_values(napi_env env, const std::vector<napi_value>& arrays, Thunk thunk);

// Is the ArrayBuffer whose data starts at `data` in use by a plan running on a libuv thread
// (planRunAsync) started from this thread? giveBlock leaves such a buffer attached.
bool pinned_by_running_plan(const void* data) noexcept;

}  // namespace tapegrad_binding

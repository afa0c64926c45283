// Module initialisation: the export table. Node-API modules are context-aware, so this runs once per
// Node environment (main thread and each worker_thread); no per-environment state is kept here (a plan
// capture's state is per thread, binding/plan.cc).
#include <napi.h>

#include "args.h"

namespace {

// The export table's version. lib/native.ts refuses an addon whose version differs from its ABI_VERSION,
// so a stale binary fails at load instead of misbehaving. Bump it (and ABI_VERSION) whenever an export is
// added, removed, or changes its arguments or semantics.
constexpr int kAbiVersion = 5;

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, kAbiVersion));
  tapegrad_binding::register_info(env, exports);
  tapegrad_binding::register_gemm(env, exports);
  tapegrad_binding::register_elementwise(env, exports);
  tapegrad_binding::register_loss(env, exports);
  tapegrad_binding::register_memory(env, exports);
  tapegrad_binding::register_optim(env, exports);
  tapegrad_binding::register_softmax(env, exports);
  tapegrad_binding::register_plan(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(tapegrad, init)

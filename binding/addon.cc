// Module initialisation: the export table. Node-API modules are context-aware, so this runs once per
// Node environment (main thread and each worker_thread); no per-environment state is kept here.
#include <napi.h>

#include "args.h"

namespace {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  tapegrad_binding::register_info(env, exports);
  tapegrad_binding::register_gemm(env, exports);
  tapegrad_binding::register_elementwise(env, exports);
  tapegrad_binding::register_loss(env, exports);
  tapegrad_binding::register_memory(env, exports);
  tapegrad_binding::register_optim(env, exports);
  tapegrad_binding::register_softmax(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(tapegrad, init)

// PLACEHOLDER: the elementwise/reduction glue lands with the native elementwise kernels.
#include "args.h"
namespace tapegrad_binding {
void register_elementwise(Napi::Env, Napi::Object) {}
}  // namespace tapegrad_binding

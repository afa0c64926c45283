// Build and machine information, and the thread-count setting.
#include <napi.h>

#include "args.h"
#include "tapegrad/cpu.h"
#include "tapegrad/threads.h"

namespace tapegrad_binding {
namespace {

Napi::Value isa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), tapegrad::isa_name(tapegrad::active_isa()));
}

Napi::Value hardware_isa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), tapegrad::isa_name(tapegrad::hardware_isa()));
}

// forceIsa(name): lowers the kernel ISA (tests and benchmarks); returns the level in force.
Napi::Value force_isa(const Napi::CallbackInfo& info) {
  require_count(info, "forceIsa", 1);
  const Napi::Value v = info[0];
  if (!v.IsString()) throw_type(info.Env(), "forceIsa", 0, "'scalar', 'avx2' or 'avx512'", v);
  const std::string name = v.As<Napi::String>().Utf8Value();
  tapegrad::Isa wanted;
  if (name == "scalar") wanted = tapegrad::Isa::Scalar;
  else if (name == "avx2") wanted = tapegrad::Isa::Avx2;
  else if (name == "avx512") wanted = tapegrad::Isa::Avx512;
  else throw_type(info.Env(), "forceIsa", 0, "'scalar', 'avx2' or 'avx512'", v);
  return Napi::String::New(info.Env(), tapegrad::isa_name(tapegrad::force_isa(wanted)));
}

Napi::Value get_num_threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), tapegrad::get_num_threads());
}

Napi::Value set_num_threads(const Napi::CallbackInfo& info) {
  require_count(info, "setNumThreads", 1);
  tapegrad::set_num_threads(static_cast<int>(get_int(info, "setNumThreads", 0, 1, 1024)));
  return info.Env().Undefined();
}

}  // namespace

void register_info(Napi::Env env, Napi::Object exports) {
  exports.Set("isa", Napi::Function::New(env, isa, "isa"));
  exports.Set("hardwareIsa", Napi::Function::New(env, hardware_isa, "hardwareIsa"));
  exports.Set("forceIsa", Napi::Function::New(env, force_isa, "forceIsa"));
  exports.Set("getNumThreads", Napi::Function::New(env, get_num_threads, "getNumThreads"));
  exports.Set("setNumThreads", Napi::Function::New(env, set_num_threads, "setNumThreads"));
}

}  // namespace tapegrad_binding

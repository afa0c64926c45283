// Optimizer glue:
//   sgdStep(p, g, buf|null, lr, momentum, dampening, nesterov, weightDecay, maximize, first)
//   adamStep(p, g, m, v, vmax|null, lr, beta1, beta2, eps, weightDecay, decoupled, amsgrad, maximize, step)
// n = p.length; every other array must be the same float kind and hold at least n elements; buf is
// required when momentum ≠ 0 and vmax when amsgrad; written arrays must not overlap any other array.
// During a plan capture the update is recorded instead of run (binding/plan.h), hyperparameters
// included: a replay applies the values given at capture.
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "args.h"
#include "plan.h"
#include "tapegrad/optim.h"

namespace tapegrad_binding {
namespace {

template <typename T>
Span<T> get_state(const Napi::CallbackInfo& info, const char* fn, size_t i, size_t n, bool required) {
  const Napi::Value v = info[i];
  if (v.IsUndefined() || v.IsNull()) {
    if (required) throw_type(info.Env(), fn, i, TypedArrayTraits<T>::name, v);
    return {nullptr, 0};
  }
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != TypedArrayTraits<T>::type)
    throw_type(info.Env(), fn, i, std::string(TypedArrayTraits<T>::name) + (required ? "" : " or null"), v);
  const Span<T> s = get_array<T>(info, fn, i);
  if (s.length < n)
    throw_range(info.Env(), fn,
                "argument " + std::to_string(i) + " must hold at least " + std::to_string(n) +
                    " elements (the parameter's length), got length " + std::to_string(s.length));
  return s;
}

// The first n elements of an update's array: all the kernel touches.
template <typename T>
ByteRange first_n(const Span<T>& s, size_t n) {
  return byte_range(s.data, 0, static_cast<int64_t>(n));
}

template <typename T>
void sgd_typed(const Napi::CallbackInfo& info) {
  const char* fn = "sgdStep";
  const Span<T> p = get_array<T>(info, fn, 0);
  const size_t n = p.length;
  const Span<T> g = get_state<T>(info, fn, 1, n, true);
  tapegrad::SgdParams h;
  h.lr = get_number(info, fn, 3);
  h.momentum = get_number(info, fn, 4);
  h.dampening = get_number(info, fn, 5);
  h.nesterov = get_bool(info, fn, 6);
  h.weight_decay = get_number(info, fn, 7);
  h.maximize = get_bool(info, fn, 8);
  h.first = get_bool(info, fn, 9);
  const Span<T> buf = get_state<T>(info, fn, 2, n, h.momentum != 0);
  check_no_overlap(info.Env(), fn, {{first_n(p, n), 0, true}, {first_n(g, n), 1, false}, {first_n(buf, n), 2, true}});
  auto run = [=] {
    if constexpr (sizeof(T) == 4) tapegrad::sgd_step_f32(static_cast<int64_t>(n), p.data, g.data, buf.data, h);
    else tapegrad::sgd_step_f64(static_cast<int64_t>(n), p.data, g.data, buf.data, h);
  };
  if (capturing()) return capture(info, {0, 1, 2}, std::move(run));
  run();
}

template <typename T>
void adam_typed(const Napi::CallbackInfo& info) {
  const char* fn = "adamStep";
  const Span<T> p = get_array<T>(info, fn, 0);
  const size_t n = p.length;
  const Span<T> g = get_state<T>(info, fn, 1, n, true);
  const Span<T> m = get_state<T>(info, fn, 2, n, true);
  const Span<T> v = get_state<T>(info, fn, 3, n, true);
  tapegrad::AdamParams h;
  h.lr = get_number(info, fn, 5);
  h.beta1 = get_number(info, fn, 6);
  h.beta2 = get_number(info, fn, 7);
  h.eps = get_number(info, fn, 8);
  h.weight_decay = get_number(info, fn, 9);
  h.decoupled = get_bool(info, fn, 10);
  h.amsgrad = get_bool(info, fn, 11);
  h.maximize = get_bool(info, fn, 12);
  h.step = get_int(info, fn, 13, 1, kMaxInt);
  const Span<T> vmax = get_state<T>(info, fn, 4, n, h.amsgrad);
  check_no_overlap(info.Env(), fn,
                   {{first_n(p, n), 0, true},
                    {first_n(g, n), 1, false},
                    {first_n(m, n), 2, true},
                    {first_n(v, n), 3, true},
                    {first_n(vmax, n), 4, true}});
  auto run = [=] {
    if constexpr (sizeof(T) == 4)
      tapegrad::adam_step_f32(static_cast<int64_t>(n), p.data, g.data, m.data, v.data, vmax.data, h);
    else tapegrad::adam_step_f64(static_cast<int64_t>(n), p.data, g.data, m.data, v.data, vmax.data, h);
  };
  if (capturing()) return capture(info, {0, 1, 2, 3, 4}, std::move(run));
  run();
}

Napi::Value sgd_step(const Napi::CallbackInfo& info) {
  require_count(info, "sgdStep", 10);
  if (is_f32(info, "sgdStep", 0)) sgd_typed<float>(info);
  else sgd_typed<double>(info);
  return info.Env().Undefined();
}

Napi::Value adam_step(const Napi::CallbackInfo& info) {
  require_count(info, "adamStep", 14);
  if (is_f32(info, "adamStep", 0)) adam_typed<float>(info);
  else adam_typed<double>(info);
  return info.Env().Undefined();
}

}  // namespace

void register_optim(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdStep", Napi::Function::New(env, sgd_step, "sgdStep"));
  exports.Set("adamStep", Napi::Function::New(env, adam_step, "adamStep"));
}

}  // namespace tapegrad_binding

// Softmax glue:
//   softmax(x, y, outer, n, inner, log)                 y = softmax or logSoftmax of x along n
//   softmaxBackward(y, g, dx, outer, n, inner, log)     dx from the forward output y and its gradient g
// over the (outer, n, inner) view of contiguous arrays (tapegrad/softmax.h). Checks what native/ relies
// on for memory safety: all arrays the same float kind, outer·n·inner a safe integer equal to every
// array's length, and the output overlapping no input (typed arrays may share one ArrayBuffer). During a
// plan capture the kernel call is recorded instead of run (binding/plan.h).
#include <napi.h>

#include <cstdint>
#include <string>

#include "args.h"
#include "plan.h"
#include "tapegrad/softmax.h"

namespace tapegrad_binding {
namespace {

template <typename T>
Span<T> same_kind(const Napi::CallbackInfo& info, const char* fn, size_t i) {
  const Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != TypedArrayTraits<T>::type)
    throw_type(info.Env(), fn, i, std::string(TypedArrayTraits<T>::name) + " (the type of argument 0)", v);
  Napi::TypedArrayOf<T> arr = v.As<Napi::TypedArrayOf<T>>();
  return {arr.Data(), arr.ElementLength()};
}

struct Dims {
  int64_t outer, n, inner, size;
};

// Arguments first..first+2 as (outer, n, inner) whose product is a safe JS integer.
Dims get_dims(const Napi::CallbackInfo& info, const char* fn, size_t first) {
  Dims d;
  d.outer = get_int(info, fn, first, 0, kMaxInt);
  d.n = get_int(info, fn, first + 1, 0, kMaxInt);
  d.inner = get_int(info, fn, first + 2, 0, kMaxInt);
  const __int128 size = static_cast<__int128>(d.outer) * d.n * d.inner;
  if (size > kMaxInt)
    throw_range(info.Env(), fn,
                "arguments " + std::to_string(first) + ".." + std::to_string(first + 2) +
                    " must describe at most 2^53 elements, got " + std::to_string(d.outer) + "·" + std::to_string(d.n) +
                    "·" + std::to_string(d.inner));
  d.size = static_cast<int64_t>(size);
  return d;
}

template <typename T>
void check_len(const Napi::CallbackInfo& info, const char* fn, size_t i, const Span<T>& a, const Dims& d) {
  if (static_cast<int64_t>(a.length) != d.size)
    throw_range(info.Env(), fn,
                "argument " + std::to_string(i) + " must have length " + std::to_string(d.size) +
                    " (outer·n·inner), got " + std::to_string(a.length));
}

template <typename T>
void forward_typed(const Napi::CallbackInfo& info, const char* fn) {
  const Span<T> x = get_array<T>(info, fn, 0);
  const Span<T> y = same_kind<T>(info, fn, 1);
  const Dims d = get_dims(info, fn, 2);
  const bool log = get_bool(info, fn, 5);
  check_len(info, fn, 0, x, d);
  check_len(info, fn, 1, y, d);
  check_no_overlap(info.Env(), fn, {{byte_range(y), 1, true}, {byte_range(x), 0, false}});
  auto run = [=] {
    if constexpr (sizeof(T) == 4) tapegrad::softmax_f32(x.data, y.data, d.outer, d.n, d.inner, log);
    else tapegrad::softmax_f64(x.data, y.data, d.outer, d.n, d.inner, log);
  };
  if (capturing()) return capture(info, {0, 1}, std::move(run));
  run();
}

template <typename T>
void backward_typed(const Napi::CallbackInfo& info, const char* fn) {
  const Span<T> y = get_array<T>(info, fn, 0);
  const Span<T> g = same_kind<T>(info, fn, 1);
  const Span<T> dx = same_kind<T>(info, fn, 2);
  const Dims d = get_dims(info, fn, 3);
  const bool log = get_bool(info, fn, 6);
  check_len(info, fn, 0, y, d);
  check_len(info, fn, 1, g, d);
  check_len(info, fn, 2, dx, d);
  check_no_overlap(info.Env(), fn, {{byte_range(dx), 2, true}, {byte_range(y), 0, false}, {byte_range(g), 1, false}});
  auto run = [=] {
    if constexpr (sizeof(T) == 4) tapegrad::softmax_backward_f32(y.data, g.data, dx.data, d.outer, d.n, d.inner, log);
    else tapegrad::softmax_backward_f64(y.data, g.data, dx.data, d.outer, d.n, d.inner, log);
  };
  if (capturing()) return capture(info, {0, 1, 2}, std::move(run));
  run();
}

Napi::Value softmax(const Napi::CallbackInfo& info) {
  const char* fn = "softmax";
  require_count(info, fn, 6);
  if (is_f32(info, fn, 0)) forward_typed<float>(info, fn);
  else forward_typed<double>(info, fn);
  return info.Env().Undefined();
}

Napi::Value softmax_backward(const Napi::CallbackInfo& info) {
  const char* fn = "softmaxBackward";
  require_count(info, fn, 7);
  if (is_f32(info, fn, 0)) backward_typed<float>(info, fn);
  else backward_typed<double>(info, fn);
  return info.Env().Undefined();
}

}  // namespace

void register_softmax(Napi::Env env, Napi::Object exports) {
  exports.Set("softmax", Napi::Function::New(env, softmax, "softmax"));
  exports.Set("softmaxBackward", Napi::Function::New(env, softmax_backward, "softmaxBackward"));
}

}  // namespace tapegrad_binding

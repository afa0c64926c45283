// Cross-entropy glue:
//   crossEntropyReduce(loss, m, c, targetIndex|null, weight|null, ignoreIndex, mean, out, inverse)
//   crossEntropyForward(z, m, c, targetIndex|null, targetProb|null, weight|null, ignoreIndex, labelSmoothing, loss,
//   lse) crossEntropyBackward(z, lse, m, c, targetIndex|null, targetProb|null, weight|null, ignoreIndex,
//   labelSmoothing,
//                        r, rStride, dz)
// Checks everything native/ relies on: one float kind for every float array, exactly one target kind,
// every array at least as long as m and c require (products in 128-bit), every class index in [0, c)
// or equal to ignoreIndex (O(m), cheap next to the O(m·c) kernel, and what keeps the kernel's reads
// in bounds), and that no output overlaps another array. lse is a Float64Array for both float kinds. Then calls
// tapegrad::cross_entropy_*. During a plan capture the call is recorded instead (binding/plan.h); the
// class indices are checked again before each replay, since new targets are written between runs.
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "args.h"
#include "plan.h"
#include "tapegrad/loss.h"

namespace tapegrad_binding {
namespace {

bool is_nullish(const Napi::Value& v) { return v.IsUndefined() || v.IsNull(); }

// Argument i as a T array (or null when allowed and given) with at least `need` elements.
template <typename T>
Span<T> get_sized(const Napi::CallbackInfo& info, const char* fn, size_t i, __int128 need, bool nullable) {
  if (nullable && is_nullish(info[i])) return {nullptr, 0};
  const Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != TypedArrayTraits<T>::type)
    throw_type(info.Env(), fn, i, std::string(TypedArrayTraits<T>::name) + (nullable ? " or null" : ""), v);
  const Span<T> s = get_array<T>(info, fn, i);
  if (static_cast<__int128>(s.length) < need)
    throw_range(info.Env(), fn,
                "argument " + std::to_string(i) + " must hold at least " + std::to_string(static_cast<int64_t>(need)) +
                    " elements, got length " + std::to_string(s.length));
  return s;
}

struct Targets {
  Span<int32_t> index{nullptr, 0};
  bool has_prob = false;
};

// "" when every class index in index[0, m) is in [0, c) or equal to ignore; else the error message.
std::string check_class_indices(const char* fn, size_t i_idx, const int32_t* index, int64_t m, int64_t c,
                                int64_t ignore) {
  for (int64_t r = 0; r < m; ++r) {
    const int64_t y = index[r];
    if (y != ignore && (y < 0 || y >= c))
      return std::string(fn) + ": argument " + std::to_string(i_idx) + " entry " + std::to_string(r) + " is " +
             std::to_string(y) + ", outside [0, " + std::to_string(c) + ") and not the ignore index";
  }
  return {};
}

// A recorded call's thunk: the same index check before each run, then the kernel.
template <typename Run>
Thunk checking_indices(const char* fn, size_t i_idx, const int32_t* index, int64_t m, int64_t c, int64_t ignore,
                       Run run) {
  return [=] {
    if (index != nullptr) {
      const std::string error = check_class_indices(fn, i_idx, index, m, c, ignore);
      if (!error.empty()) throw PlanRunError(error);
    }
    run();
  };
}

// Target kind (exactly one of index/prob) and the index values' range.
Targets get_index_target(const Napi::CallbackInfo& info, const char* fn, size_t i_idx, size_t i_prob, int64_t m,
                         int64_t c, int64_t ignore) {
  Targets t;
  const bool has_idx = !is_nullish(info[i_idx]);
  t.has_prob = !is_nullish(info[i_prob]);
  if (has_idx == t.has_prob)
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": exactly one of argument " + std::to_string(i_idx) +
                                               " (class indices) and argument " + std::to_string(i_prob) +
                                               " (probabilities) must be given");
  if (has_idx) {
    t.index = get_sized<int32_t>(info, fn, i_idx, m, false);
    const std::string error = check_class_indices(fn, i_idx, t.index.data, m, c, ignore);
    if (!error.empty()) throw Napi::RangeError::New(info.Env(), error);
  }
  return t;
}

template <typename T>
void forward_typed(const Napi::CallbackInfo& info) {
  const char* fn = "crossEntropyForward";
  const int64_t m = get_int(info, fn, 1, 0, kMaxInt), c = get_int(info, fn, 2, 0, kMaxInt);
  const __int128 mc = static_cast<__int128>(m) * c;
  const Span<T> z = get_sized<T>(info, fn, 0, mc, false);
  const int64_t ignore = get_int(info, fn, 6, -kMaxInt, kMaxInt);
  const double eps = get_number(info, fn, 7);
  if (!(eps >= 0 && eps <= 1)) throw_range(info.Env(), fn, "argument 7 must be in [0, 1], got " + std::to_string(eps));
  const Targets t = get_index_target(info, fn, 3, 4, m, c, ignore);
  const Span<T> prob = get_sized<T>(info, fn, 4, t.has_prob ? mc : 0, true);
  const Span<T> w = get_sized<T>(info, fn, 5, c, true);
  const Span<T> loss = get_sized<T>(info, fn, 8, m, false);
  const Span<double> lse = get_sized<double>(info, fn, 9, m, false);
  const int64_t n = static_cast<int64_t>(mc);  // fits: z holds that many elements
  check_no_overlap(info.Env(), fn,
                   {{byte_range(loss.data, 0, m), 8, true},
                    {byte_range(lse.data, 0, m), 9, true},
                    {byte_range(z.data, 0, n), 0, false},
                    {byte_range(t.index.data, 0, m), 3, false},
                    {byte_range(prob.data, 0, t.has_prob ? n : 0), 4, false},
                    {byte_range(w.data, 0, c), 5, false}});
  auto run = [=] {
    if constexpr (sizeof(T) == 4)
      tapegrad::cross_entropy_forward_f32(m, c, z.data, t.index.data, prob.data, w.data, ignore, eps, loss.data,
                                          lse.data);
    else
      tapegrad::cross_entropy_forward_f64(m, c, z.data, t.index.data, prob.data, w.data, ignore, eps, loss.data,
                                          lse.data);
  };
  if (capturing())
    return capture(info, {0, 3, 4, 5, 8, 9}, checking_indices(fn, 3, t.index.data, m, c, ignore, std::move(run)));
  run();
}

template <typename T>
void backward_typed(const Napi::CallbackInfo& info) {
  const char* fn = "crossEntropyBackward";
  const int64_t m = get_int(info, fn, 2, 0, kMaxInt), c = get_int(info, fn, 3, 0, kMaxInt);
  const __int128 mc = static_cast<__int128>(m) * c;
  const Span<T> z = get_sized<T>(info, fn, 0, mc, false);
  const Span<double> lse = get_sized<double>(info, fn, 1, m, false);
  const int64_t ignore = get_int(info, fn, 7, -kMaxInt, kMaxInt);
  const double eps = get_number(info, fn, 8);
  if (!(eps >= 0 && eps <= 1)) throw_range(info.Env(), fn, "argument 8 must be in [0, 1], got " + std::to_string(eps));
  const Targets t = get_index_target(info, fn, 4, 5, m, c, ignore);
  const Span<T> prob = get_sized<T>(info, fn, 5, t.has_prob ? mc : 0, true);
  const Span<T> w = get_sized<T>(info, fn, 6, c, true);
  const int64_t r_stride = get_int(info, fn, 10, 0, 1);
  const Span<T> r = get_sized<T>(info, fn, 9, r_stride == 0 ? (m > 0 ? 1 : 0) : m, false);
  const Span<T> dz = get_sized<T>(info, fn, 11, mc, false);
  const int64_t n = static_cast<int64_t>(mc);  // fits: z holds that many elements
  check_no_overlap(info.Env(), fn,
                   {{byte_range(dz.data, 0, n), 11, true},
                    {byte_range(z.data, 0, n), 0, false},
                    {byte_range(lse.data, 0, m), 1, false},
                    {byte_range(t.index.data, 0, m), 4, false},
                    {byte_range(prob.data, 0, t.has_prob ? n : 0), 5, false},
                    {byte_range(w.data, 0, c), 6, false},
                    {byte_range(r.data, 0, r_stride == 0 ? 1 : m), 9, false}});
  auto run = [=] {
    if constexpr (sizeof(T) == 4)
      tapegrad::cross_entropy_backward_f32(m, c, z.data, lse.data, t.index.data, prob.data, w.data, ignore, eps, r.data,
                                           r_stride, dz.data);
    else
      tapegrad::cross_entropy_backward_f64(m, c, z.data, lse.data, t.index.data, prob.data, w.data, ignore, eps, r.data,
                                           r_stride, dz.data);
  };
  if (capturing())
    return capture(info, {0, 1, 4, 5, 6, 9, 11}, checking_indices(fn, 4, t.index.data, m, c, ignore, std::move(run)));
  run();
}

// crossEntropyReduce(loss, m, c, targetIndex|null, weight|null, ignoreIndex, mean, out, inverse)
template <typename T>
void reduce_typed(const Napi::CallbackInfo& info) {
  const char* fn = "crossEntropyReduce";
  const int64_t m = get_int(info, fn, 1, 0, kMaxInt), c = get_int(info, fn, 2, 0, kMaxInt);
  const Span<T> loss = get_sized<T>(info, fn, 0, m, false);
  const Span<int32_t> index = get_sized<int32_t>(info, fn, 3, m, true);
  const Span<T> w = get_sized<T>(info, fn, 4, c, true);
  const int64_t ignore = get_int(info, fn, 5, -kMaxInt, kMaxInt);
  const bool mean = get_bool(info, fn, 6);
  const Span<T> out = get_sized<T>(info, fn, 7, 1, false);
  const Span<T> inverse = get_sized<T>(info, fn, 8, 1, false);
  // The weights are read at the class indices: they must be in range (without weights, they are only
  // compared with the ignore index).
  const int32_t* checked = w.data != nullptr ? index.data : nullptr;
  if (checked != nullptr) {
    const std::string error = check_class_indices(fn, 3, checked, m, c, ignore);
    if (!error.empty()) throw Napi::RangeError::New(info.Env(), error);
  }
  check_no_overlap(info.Env(), fn,
                   {{byte_range(out.data, 0, 1), 7, true},
                    {byte_range(inverse.data, 0, 1), 8, true},
                    {byte_range(loss.data, 0, m), 0, false},
                    {byte_range(index.data, 0, index.data != nullptr ? m : 0), 3, false},
                    {byte_range(w.data, 0, w.data != nullptr ? c : 0), 4, false}});
  auto run = [=] {
    if constexpr (sizeof(T) == 4)
      tapegrad::cross_entropy_reduce_f32(m, loss.data, index.data, w.data, ignore, mean, out.data, inverse.data);
    else tapegrad::cross_entropy_reduce_f64(m, loss.data, index.data, w.data, ignore, mean, out.data, inverse.data);
  };
  if (capturing())
    return capture(info, {0, 3, 4, 7, 8}, checking_indices(fn, 3, checked, m, c, ignore, std::move(run)));
  run();
}

Napi::Value cross_entropy_reduce(const Napi::CallbackInfo& info) {
  require_count(info, "crossEntropyReduce", 9);
  if (is_f32(info, "crossEntropyReduce", 0)) reduce_typed<float>(info);
  else reduce_typed<double>(info);
  return info.Env().Undefined();
}

Napi::Value cross_entropy_forward(const Napi::CallbackInfo& info) {
  require_count(info, "crossEntropyForward", 10);
  if (is_f32(info, "crossEntropyForward", 0)) forward_typed<float>(info);
  else forward_typed<double>(info);
  return info.Env().Undefined();
}

Napi::Value cross_entropy_backward(const Napi::CallbackInfo& info) {
  require_count(info, "crossEntropyBackward", 12);
  if (is_f32(info, "crossEntropyBackward", 0)) backward_typed<float>(info);
  else backward_typed<double>(info);
  return info.Env().Undefined();
}

}  // namespace

void register_loss(Napi::Env env, Napi::Object exports) {
  exports.Set("crossEntropyForward", Napi::Function::New(env, cross_entropy_forward, "crossEntropyForward"));
  exports.Set("crossEntropyBackward", Napi::Function::New(env, cross_entropy_backward, "crossEntropyBackward"));
  exports.Set("crossEntropyReduce", Napi::Function::New(env, cross_entropy_reduce, "crossEntropyReduce"));
}

}  // namespace tapegrad_binding

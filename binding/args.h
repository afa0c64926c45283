// Argument unwrapping for the glue: cheap O(1) memory-safety checks so a bad call can never crash the
// process, even when lib/ is bypassed. Messages read "fn: argument i must be ..., got ...".
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace tapegrad_binding {

inline std::string describe(const Napi::Value& v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsNumber()) return "a number";
  if (v.IsBoolean()) return "a boolean";
  if (v.IsString()) return "a string";
  if (v.IsArray()) return "an array";
  if (v.IsTypedArray()) {
    switch (v.As<Napi::TypedArray>().TypedArrayType()) {
      case napi_float32_array: return "a Float32Array";
      case napi_float64_array: return "a Float64Array";
      case napi_int32_array: return "an Int32Array";
      case napi_uint8_array: return "a Uint8Array";
      default: return "another TypedArray";
    }
  }
  if (v.IsFunction()) return "a function";
  return "an object";
}

[[noreturn]] inline void throw_type(const Napi::Env& env, const char* fn, size_t i, const std::string& expected,
                                    const Napi::Value& got) {
  throw Napi::TypeError::New(env, std::string(fn) + ": argument " + std::to_string(i) + " must be " + expected +
                                      ", got " + describe(got));
}

[[noreturn]] inline void throw_range(const Napi::Env& env, const char* fn, const std::string& what) {
  throw Napi::RangeError::New(env, std::string(fn) + ": " + what);
}

inline void require_count(const Napi::CallbackInfo& info, const char* fn, size_t n) {
  if (info.Length() < n)
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": expected " + std::to_string(n) + " arguments, got " +
                                               std::to_string(info.Length()));
}

inline double get_number(const Napi::CallbackInfo& info, const char* fn, size_t i) {
  const Napi::Value v = info[i];
  if (!v.IsNumber()) throw_type(info.Env(), fn, i, "a number", v);
  return v.As<Napi::Number>().DoubleValue();
}

inline bool get_bool(const Napi::CallbackInfo& info, const char* fn, size_t i) {
  const Napi::Value v = info[i];
  if (!v.IsBoolean()) throw_type(info.Env(), fn, i, "a boolean", v);
  return v.As<Napi::Boolean>().Value();
}

// An integer in [lo, hi].
inline int64_t get_int(const Napi::CallbackInfo& info, const char* fn, size_t i, int64_t lo, int64_t hi) {
  const double d = get_number(info, fn, i);
  if (!std::isfinite(d) || d != std::floor(d))
    throw_type(info.Env(), fn, i, "an integer", info[i]);
  if (d < static_cast<double>(lo) || d > static_cast<double>(hi))
    throw_range(info.Env(), fn, "argument " + std::to_string(i) + " must be in [" + std::to_string(lo) + ", " +
                                    std::to_string(hi) + "], got " + std::to_string(static_cast<int64_t>(d)));
  return static_cast<int64_t>(d);
}

template <typename T> struct TypedArrayTraits;
template <> struct TypedArrayTraits<float> {
  static constexpr napi_typedarray_type type = napi_float32_array;
  static constexpr const char* name = "a Float32Array";
};
template <> struct TypedArrayTraits<double> {
  static constexpr napi_typedarray_type type = napi_float64_array;
  static constexpr const char* name = "a Float64Array";
};
template <> struct TypedArrayTraits<int32_t> {
  static constexpr napi_typedarray_type type = napi_int32_array;
  static constexpr const char* name = "an Int32Array";
};
template <> struct TypedArrayTraits<uint8_t> {
  static constexpr napi_typedarray_type type = napi_uint8_array;
  static constexpr const char* name = "a Uint8Array";
};

// A typed array's data and length (Data() already includes the view's byte offset, so subarray works).
template <typename T> struct Span {
  T* data;
  size_t length;
};

template <typename T>
inline Span<T> get_array(const Napi::CallbackInfo& info, const char* fn, size_t i) {
  const Napi::Value v = info[i];
  // Check the kind before As<>: a bare As<> on the wrong type is undefined behaviour, not an exception.
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != TypedArrayTraits<T>::type)
    throw_type(info.Env(), fn, i, TypedArrayTraits<T>::name, v);
  Napi::TypedArrayOf<T> arr = v.As<Napi::TypedArrayOf<T>>();
  return {arr.Data(), arr.ElementLength()};
}

// Is argument i a Float32Array (true) or a Float64Array (false)? Anything else throws.
inline bool is_f32(const Napi::CallbackInfo& info, const char* fn, size_t i) {
  const Napi::Value v = info[i];
  if (v.IsTypedArray()) {
    const napi_typedarray_type t = v.As<Napi::TypedArray>().TypedArrayType();
    if (t == napi_float32_array) return true;
    if (t == napi_float64_array) return false;
  }
  throw_type(info.Env(), fn, i, "a Float32Array or a Float64Array", v);
}

// A JS array of small non-negative integers (shapes, strides, dims), at most max_len long.
inline std::vector<int64_t> get_int_list(const Napi::CallbackInfo& info, const char* fn, size_t i, size_t max_len,
                                         int64_t lo = 0, int64_t hi = (int64_t{1} << 53)) {
  const Napi::Value v = info[i];
  if (!v.IsArray()) throw_type(info.Env(), fn, i, "an array of integers", v);
  Napi::Array arr = v.As<Napi::Array>();
  const uint32_t n = arr.Length();
  if (n > max_len)
    throw_range(info.Env(), fn, "argument " + std::to_string(i) + " has " + std::to_string(n) + " entries, at most " +
                                    std::to_string(max_len) + " allowed");
  std::vector<int64_t> out(n);
  for (uint32_t j = 0; j < n; ++j) {
    const Napi::Value e = arr.Get(j);
    if (!e.IsNumber()) throw_type(info.Env(), fn, i, "an array of integers", v);
    const double d = e.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || d != std::floor(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi))
      throw_range(info.Env(), fn, "argument " + std::to_string(i) + " entry " + std::to_string(j) +
                                      " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    out[j] = static_cast<int64_t>(d);
  }
  return out;
}

// Registration hooks, one per glue file (each adds its functions to the exports object).
void register_info(Napi::Env env, Napi::Object exports);
void register_gemm(Napi::Env env, Napi::Object exports);
void register_elementwise(Napi::Env env, Napi::Object exports);
void register_loss(Napi::Env env, Napi::Object exports);
void register_memory(Napi::Env env, Napi::Object exports);
void register_optim(Napi::Env env, Napi::Object exports);
void register_softmax(Napi::Env env, Napi::Object exports);

}  // namespace tapegrad_binding

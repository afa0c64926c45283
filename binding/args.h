// Argument unwrapping for the glue: cheap O(1) memory-safety checks so a bad call can never crash the
// process, even when lib/ is bypassed. Messages read "fn: argument i must be ..., got ...".
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace tapegrad_binding {

// 2^53, the largest integer a JS number holds exactly: the bound for every size, offset, stride and index.
constexpr int64_t kMaxInt = int64_t{1} << 53;

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
  throw Napi::TypeError::New(
      env, std::string(fn) + ": argument " + std::to_string(i) + " must be " + expected + ", got " + describe(got));
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
  if (!std::isfinite(d) || d != std::floor(d)) throw_type(info.Env(), fn, i, "an integer", info[i]);
  if (d < static_cast<double>(lo) || d > static_cast<double>(hi))
    throw_range(info.Env(), fn,
                "argument " + std::to_string(i) + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                    "], got " + std::to_string(static_cast<int64_t>(d)));
  return static_cast<int64_t>(d);
}

template <typename T>
struct TypedArrayTraits;
template <>
struct TypedArrayTraits<float> {
  static constexpr napi_typedarray_type type = napi_float32_array;
  static constexpr const char* name = "a Float32Array";
};
template <>
struct TypedArrayTraits<double> {
  static constexpr napi_typedarray_type type = napi_float64_array;
  static constexpr const char* name = "a Float64Array";
};
template <>
struct TypedArrayTraits<int32_t> {
  static constexpr napi_typedarray_type type = napi_int32_array;
  static constexpr const char* name = "an Int32Array";
};
template <>
struct TypedArrayTraits<uint8_t> {
  static constexpr napi_typedarray_type type = napi_uint8_array;
  static constexpr const char* name = "a Uint8Array";
};

// A typed array's data and length (Data() already includes the view's byte offset, so subarray works).
template <typename T>
struct Span {
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
                                         int64_t lo = 0, int64_t hi = kMaxInt) {
  const Napi::Value v = info[i];
  if (!v.IsArray()) throw_type(info.Env(), fn, i, "an array of integers", v);
  Napi::Array arr = v.As<Napi::Array>();
  const uint32_t n = arr.Length();
  if (n > max_len)
    throw_range(info.Env(), fn,
                "argument " + std::to_string(i) + " has " + std::to_string(n) + " entries, at most " +
                    std::to_string(max_len) + " allowed");
  std::vector<int64_t> out(n);
  for (uint32_t j = 0; j < n; ++j) {
    const Napi::Value e = arr.Get(j);
    if (!e.IsNumber()) throw_type(info.Env(), fn, i, "an array of integers", v);
    const double d = e.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || d != std::floor(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi))
      throw_range(info.Env(), fn,
                  "argument " + std::to_string(i) + " entry " + std::to_string(j) + " must be an integer in [" +
                      std::to_string(lo) + ", " + std::to_string(hi) + "]");
    out[j] = static_cast<int64_t>(d);
  }
  return out;
}

// The bytes [lo, hi) an argument reads or writes; empty when lo >= hi. Typed arrays may be views of one
// ArrayBuffer, so the glue compares addresses, never array identity.
struct ByteRange {
  uintptr_t lo = 0, hi = 0;
  bool empty() const { return lo >= hi; }
};

// Elements [first, first + count) of the array at p; empty for a null p or count <= 0.
template <typename T>
ByteRange byte_range(const T* p, int64_t first, int64_t count) {
  if (p == nullptr || count <= 0) return {};
  const uintptr_t base = reinterpret_cast<uintptr_t>(p) + static_cast<uintptr_t>(first) * sizeof(T);
  return {base, base + static_cast<uintptr_t>(count) * sizeof(T)};
}
template <typename T>
ByteRange byte_range(const Span<T>& s) {
  return byte_range(s.data, 0, static_cast<int64_t>(s.length));
}

// The one overlap test behind every "must not overlap" check.
inline bool overlap(const ByteRange& a, const ByteRange& b) {
  return !a.empty() && !b.empty() && a.lo < b.hi && b.lo < a.hi;
}

// An array argument for check_no_overlap: the bytes it touches, its index, and whether the kernel writes it.
struct ArgBytes {
  ByteRange bytes;
  size_t arg;
  bool written;
};

// No written argument shares a byte with any other argument (read-only ones may share). The message
// names the written argument first.
inline void check_no_overlap(const Napi::Env& env, const char* fn, std::initializer_list<ArgBytes> args) {
  for (const ArgBytes* a = args.begin(); a != args.end(); ++a) {
    if (!a->written) continue;
    for (const ArgBytes* b = args.begin(); b != args.end(); ++b) {
      if (b == a || (b->written && b < a)) continue;  // a pair of outputs is checked once
      if (overlap(a->bytes, b->bytes))
        throw_range(env, fn,
                    "argument " + std::to_string(a->arg) + " must not overlap argument " + std::to_string(b->arg) +
                        " in memory");
    }
  }
}

// Registration hooks, one per glue file (each adds its functions to the exports object).
void register_info(Napi::Env env, Napi::Object exports);
void register_gemm(Napi::Env env, Napi::Object exports);
void register_elementwise(Napi::Env env, Napi::Object exports);
void register_loss(Napi::Env env, Napi::Object exports);
void register_memory(Napi::Env env, Napi::Object exports);
void register_optim(Napi::Env env, Napi::Object exports);
void register_softmax(Napi::Env env, Napi::Object exports);
void register_plan(Napi::Env env, Napi::Object exports);

}  // namespace tapegrad_binding

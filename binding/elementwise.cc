// Elementwise and reduction glue: unaryOps/binaryOps/reduceOps (op names in code order) and
//   unary(op, x, out, p0, p1)
//   binary(op, a, aStrides, b, bStrides, out, outShape)
//   reduce(op, x, shape, dims, out)
// The integer lists (strides, shapes, dims) may be JS arrays or Int32Array/Float64Array; the typed
// arrays cost less per call (no per-entry property reads).
// Converts the JS arguments to plain C++ once and checks everything native/ relies on for memory
// safety: op code in range, all arrays the same float kind, shapes/strides/dims well-formed (at most
// 16 dims), every addressed element inside its array (computed in 128-bit), out's length, and that out
// overlaps no input except as the exact same view where the kernel allows it (typed arrays can share
// one ArrayBuffer). Then calls tapegrad::unary_* / binary_* / reduce_* (or, during a plan capture,
// records that call: binding/plan.h).
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "args.h"
#include "plan.h"
#include "tapegrad/elementwise.h"
#include "tapegrad/reduce.h"

namespace tapegrad_binding {
namespace {

constexpr size_t kMaxDims = 16;

// Fast paths. A call costs a few N-API calls per argument rather than the generic helpers' several:
// the TS layer calls these kernels for every large tensor op, so the fixed cost matters (~0.3 µs
// instead of ~0.8 µs for binary). Whenever a fast path sees anything unusual it defers to the generic
// helper in args.h, which throws the error with the usual message.

// Op code in [0, count).
int fast_op(const Napi::CallbackInfo& info, const char* fn, int count) {
  double d;
  if (napi_get_value_double(info.Env(), info[0], &d) == napi_ok && d >= 0 && d < count && d == static_cast<int>(d))
    return static_cast<int>(d);
  return static_cast<int>(get_int(info, fn, 0, 0, count - 1));  // throws
}

// Argument i as a Float32Array (f32) / Float64Array; `like` names the argument that fixed the kind
// (or is i itself for the first array).
template <typename T>
Span<T> fast_array(const Napi::CallbackInfo& info, const char* fn, size_t i, size_t like);

template <typename T>
Span<T> get_same_kind(const Napi::CallbackInfo& info, const char* fn, size_t i, size_t like);

template <typename T>
Span<T> fast_array(const Napi::CallbackInfo& info, const char* fn, size_t i, size_t like) {
  napi_typedarray_type type;
  size_t length;
  void* data;
  if (napi_get_typedarray_info(info.Env(), info[i], &type, &length, &data, nullptr, nullptr) == napi_ok &&
      type == TypedArrayTraits<T>::type)
    return {static_cast<T*>(data), length};         // data already includes the view's byte offset
  if (i == like) return get_array<T>(info, fn, i);  // throws
  return get_same_kind<T>(info, fn, i, like);       // throws
}

// Is argument i a Float32Array (true) or a Float64Array (false)?
bool fast_is_f32(const Napi::CallbackInfo& info, const char* fn, size_t i) {
  napi_typedarray_type type;
  if (napi_get_typedarray_info(info.Env(), info[i], &type, nullptr, nullptr, nullptr, nullptr) == napi_ok) {
    if (type == napi_float32_array) return true;
    if (type == napi_float64_array) return false;
  }
  return is_f32(info, fn, i);  // throws
}

// At most kMaxDims integers in [0, 2^53]: a JS array, or (cheaper: one N-API call instead of two per
// entry) an Int32Array or Float64Array.
std::vector<int64_t> fast_int_list(const Napi::CallbackInfo& info, const char* fn, size_t i) {
  const napi_env env = info.Env();
  const napi_value v = info[i];
  napi_typedarray_type type;
  size_t length;
  void* data;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) == napi_ok &&
      (type == napi_int32_array || type == napi_float64_array)) {
    if (length > kMaxDims)
      throw_range(env, fn,
                  "argument " + std::to_string(i) + " has " + std::to_string(length) + " entries, at most " +
                      std::to_string(kMaxDims) + " allowed");
    std::vector<int64_t> out(length);
    for (size_t j = 0; j < length; ++j) {
      const double d =
          type == napi_int32_array ? static_cast<const int32_t*>(data)[j] : static_cast<const double*>(data)[j];
      if (!(d >= 0 && d <= static_cast<double>(kMaxInt) && d == static_cast<double>(static_cast<int64_t>(d))))
        throw_range(env, fn,
                    "argument " + std::to_string(i) + " entry " + std::to_string(j) + " must be an integer in [0, " +
                        std::to_string(kMaxInt) + "]");
      out[j] = static_cast<int64_t>(d);
    }
    return out;
  }
  bool is_array = false;
  uint32_t n = 0;
  if (napi_is_array(env, v, &is_array) == napi_ok && is_array && napi_get_array_length(env, v, &n) == napi_ok &&
      n <= kMaxDims) {
    std::vector<int64_t> out(n);
    bool ok = true;
    for (uint32_t j = 0; j < n && ok; ++j) {
      napi_value e;
      double d;
      ok = napi_get_element(env, v, j, &e) == napi_ok && napi_get_value_double(env, e, &d) == napi_ok && d >= 0 &&
           d <= static_cast<double>(kMaxInt) && d == static_cast<double>(static_cast<int64_t>(d));
      if (ok) out[j] = static_cast<int64_t>(d);
    }
    if (ok) return out;
  }
  return get_int_list(info, fn, i, kMaxDims, 0, kMaxInt);  // throws (or agrees)
}

// Argument i must be a typed array of the same float kind as argument `like` (already known to be T).
template <typename T>
Span<T> get_same_kind(const Napi::CallbackInfo& info, const char* fn, size_t i, size_t like) {
  const Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != TypedArrayTraits<T>::type)
    throw_type(info.Env(), fn, i,
               std::string(TypedArrayTraits<T>::name) + " (the type of argument " + std::to_string(like) + ")", v);
  Napi::TypedArrayOf<T> arr = v.As<Napi::TypedArrayOf<T>>();
  return {arr.Data(), arr.ElementLength()};
}

std::string list_to_string(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// Product of a shape, which must stay a safe JS integer.
int64_t numel(const Napi::Env& env, const char* fn, size_t i, const std::vector<int64_t>& shape) {
  __int128 n = 1;
  for (int64_t s : shape) {
    n *= s;
    if (n > kMaxInt)
      throw_range(
          env, fn,
          "argument " + std::to_string(i) + " must describe at most 2^53 elements, got " + list_to_string(shape));
  }
  return static_cast<int64_t>(n);
}

void check_length(const Napi::Env& env, const char* fn, size_t i, size_t length, int64_t want, const std::string& why) {
  if (static_cast<int64_t>(length) != want)
    throw_range(env, fn,
                "argument " + std::to_string(i) + " must have length " + std::to_string(want) + " (" + why + "), got " +
                    std::to_string(length));
}

// ---- unary ------------------------------------------------------------------------------------------

template <typename T>
void unary_typed(const Napi::CallbackInfo& info, const char* fn, tapegrad::UnaryOp op) {
  const Napi::Env env = info.Env();
  const Span<T> x = fast_array<T>(info, fn, 1, 1);
  const Span<T> out = fast_array<T>(info, fn, 2, 1);
  const double p0 = get_number(info, fn, 3), p1 = get_number(info, fn, 4);
  check_length(env, fn, 2, out.length, static_cast<int64_t>(x.length), "the length of argument 1");
  const int64_t n = static_cast<int64_t>(x.length);
  if (x.data != out.data && overlap(byte_range(x.data, 0, n), byte_range(out.data, 0, n)))
    throw_range(env, fn,
                "argument 2 must be argument 1 itself or not overlap it in memory, got views that "
                "partially share one ArrayBuffer");
  auto run = [=] {
    if constexpr (sizeof(T) == 4) tapegrad::unary_f32(op, x.data, out.data, n, p0, p1);
    else tapegrad::unary_f64(op, x.data, out.data, n, p0, p1);
  };
  if (capturing()) return capture(info, {1, 2}, std::move(run));
  run();
}

Napi::Value unary(const Napi::CallbackInfo& info) {
  const char* fn = "unary";
  require_count(info, fn, 5);
  const auto op = static_cast<tapegrad::UnaryOp>(fast_op(info, fn, static_cast<int>(tapegrad::UnaryOp::Count)));
  if (fast_is_f32(info, fn, 1)) unary_typed<float>(info, fn, op);
  else unary_typed<double>(info, fn, op);
  return info.Env().Undefined();
}

// ---- binary -----------------------------------------------------------------------------------------

// Index of the last element an operand with these strides addresses over `shape` (all sizes >= 1).
__int128 last_index(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides) {
  __int128 last = 0;
  for (size_t d = 0; d < shape.size(); ++d) last += static_cast<__int128>(shape[d] - 1) * strides[d];
  return last;
}

// Does the operand step through out's shape exactly like out (row-major contiguous, size-1 dims free)?
bool contiguous_like_out(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides) {
  int64_t expect = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] != 1 && strides[d] != expect) return false;
    expect *= shape[d];
  }
  return true;
}

template <typename T>
void binary_typed(const Napi::CallbackInfo& info, const char* fn, tapegrad::BinaryOp op) {
  const Napi::Env env = info.Env();
  const Span<T> a = fast_array<T>(info, fn, 1, 1);
  const Span<T> b = fast_array<T>(info, fn, 3, 1);
  const Span<T> out = fast_array<T>(info, fn, 5, 1);
  std::vector<int64_t> shape = fast_int_list(info, fn, 6);
  std::vector<int64_t> as = fast_int_list(info, fn, 2);
  std::vector<int64_t> bs = fast_int_list(info, fn, 4);
  if (as.size() != shape.size())
    throw_range(env, fn,
                "argument 2 must have one stride per dim of argument 6 (" + std::to_string(shape.size()) + "), got " +
                    std::to_string(as.size()));
  if (bs.size() != shape.size())
    throw_range(env, fn,
                "argument 4 must have one stride per dim of argument 6 (" + std::to_string(shape.size()) + "), got " +
                    std::to_string(bs.size()));
  const int64_t n = numel(env, fn, 6, shape);
  check_length(env, fn, 5, out.length, n, "the product of argument 6, " + list_to_string(shape));
  if (n == 0) return;  // nothing is read or written
  const __int128 a_last = last_index(shape, as), b_last = last_index(shape, bs);
  if (a_last >= static_cast<__int128>(a.length))
    throw_range(env, fn,
                "argument 1 must hold every element argument 2's strides address over argument 6 (up to "
                "index " +
                    (a_last > kMaxInt ? std::string("more than 2^53") : std::to_string(static_cast<int64_t>(a_last))) +
                    "), got length " + std::to_string(a.length));
  if (b_last >= static_cast<__int128>(b.length))
    throw_range(env, fn,
                "argument 3 must hold every element argument 4's strides address over argument 6 (up to "
                "index " +
                    (b_last > kMaxInt ? std::string("more than 2^53") : std::to_string(static_cast<int64_t>(b_last))) +
                    "), got length " + std::to_string(b.length));
  const ByteRange ob = byte_range(out.data, 0, n);
  // In place is fine only as the very same elements in the same order.
  if (overlap(ob, byte_range(a.data, 0, static_cast<int64_t>(a_last) + 1)) &&
      !(a.data == out.data && contiguous_like_out(shape, as)))
    throw_range(env, fn,
                "argument 5 must not overlap argument 1 in memory unless it is the same contiguous view "
                "(strides " +
                    list_to_string(as) + " over " + list_to_string(shape) + ")");
  if (overlap(ob, byte_range(b.data, 0, static_cast<int64_t>(b_last) + 1)) &&
      !(b.data == out.data && contiguous_like_out(shape, bs)))
    throw_range(env, fn,
                "argument 5 must not overlap argument 3 in memory unless it is the same contiguous view "
                "(strides " +
                    list_to_string(bs) + " over " + list_to_string(shape) + ")");
  const int ndim = static_cast<int>(shape.size());
  // The shape and strides are copied (a plan keeps its copy; typed-array lists are not among its buffers).
  auto run = [=, shape = std::move(shape), as = std::move(as), bs = std::move(bs)] {
    if constexpr (sizeof(T) == 4)
      tapegrad::binary_f32(op, ndim, shape.data(), a.data, as.data(), b.data, bs.data(), out.data);
    else tapegrad::binary_f64(op, ndim, shape.data(), a.data, as.data(), b.data, bs.data(), out.data);
  };
  if (capturing()) return capture(info, {1, 3, 5}, std::move(run));
  run();
}

Napi::Value binary(const Napi::CallbackInfo& info) {
  const char* fn = "binary";
  require_count(info, fn, 7);
  const auto op = static_cast<tapegrad::BinaryOp>(fast_op(info, fn, static_cast<int>(tapegrad::BinaryOp::Count)));
  if (fast_is_f32(info, fn, 1)) binary_typed<float>(info, fn, op);
  else binary_typed<double>(info, fn, op);
  return info.Env().Undefined();
}

// ---- elementwiseProgram -------------------------------------------------------------------------------
// elementwiseProgram(n, program, scalars, arrays): program an Int32Array of 5 entries per step
// (binary 0/1, op code, in0, in1 (-1 for unary), out: indices into arrays), scalars a Float64Array of
// p0, p1 per step, arrays Float32Arrays (or Float64Arrays) of n elements; an array of another length
// (≥ 1) is a broadcast scalar, read at element 0, never written. Arrays are identical or disjoint.

template <typename T>
void program_typed(const Napi::CallbackInfo& info, const char* fn, int64_t n, const std::vector<int32_t>& prog,
                   const std::vector<double>& scalars, const Napi::Array& list) {
  const Napi::Env env = info.Env();
  const uint32_t count = list.Length();
  std::vector<T*> ptrs(count);
  std::vector<unsigned char> scalar(count);
  std::vector<ByteRange> ranges(count);
  std::vector<napi_value> values(count);
  for (uint32_t j = 0; j < count; ++j) {
    const Napi::Value v = list.Get(j);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != TypedArrayTraits<T>::type)
      throw_range(env, fn,
                  "argument 3 entry " + std::to_string(j) + " must be " + TypedArrayTraits<T>::name +
                      " like entry 0, got " + describe(v));
    Napi::TypedArrayOf<T> a = v.As<Napi::TypedArrayOf<T>>();
    const int64_t len = static_cast<int64_t>(a.ElementLength());
    if (len != n && len < 1)
      throw_range(env, fn,
                  "argument 3 entry " + std::to_string(j) + " must hold n = " + std::to_string(n) +
                      " elements (or at least 1, a broadcast scalar), got 0");
    ptrs[j] = a.Data();
    scalar[j] = len != n;
    ranges[j] = byte_range(ptrs[j], 0, scalar[j] ? 1 : n);
    values[j] = v;
  }
  for (uint32_t j = 0; j < count; ++j)
    for (uint32_t i = 0; i < j; ++i)
      if (overlap(ranges[i], ranges[j]) && (ranges[i].lo != ranges[j].lo || ranges[i].hi != ranges[j].hi))
        throw_range(
            env, fn,
            "argument 3 entries " + std::to_string(i) + " and " + std::to_string(j) +
                " must be the same view or not overlap in memory, got views that partially share one ArrayBuffer");
  const size_t steps = prog.size() / 5;
  std::vector<tapegrad::ElementwiseStep> st(steps);
  for (size_t s = 0; s < steps; ++s) {
    const int32_t* r = &prog[s * 5];
    const bool binary = r[0] == 1;
    const int limit = binary ? static_cast<int>(tapegrad::BinaryOp::Count) : static_cast<int>(tapegrad::UnaryOp::Count);
    auto bad = [&](const std::string& what) {
      throw_range(env, fn, "argument 1 step " + std::to_string(s) + " " + what);
    };
    if (r[0] != 0 && r[0] != 1) bad("must start with 0 (unary) or 1 (binary), got " + std::to_string(r[0]));
    if (r[1] < 0 || r[1] >= limit)
      bad("has op code " + std::to_string(r[1]) + ", outside [0, " + std::to_string(limit) + ")");
    const int32_t in1 = binary ? r[3] : r[2];
    for (int32_t idx : {r[2], in1, r[4]})
      if (idx < 0 || static_cast<uint32_t>(idx) >= count)
        bad("refers to array " + std::to_string(idx) + ", outside the " + std::to_string(count) + " of argument 3");
    if (scalar[static_cast<size_t>(r[4])])
      bad("writes array " + std::to_string(r[4]) + ", which does not hold n elements");
    st[s] = {binary ? 1 : 0, r[1], r[2], in1, r[4], scalars[s * 2], scalars[s * 2 + 1]};
  }
  // A broadcast scalar is never written (checked above), so no step's output aliases one.
  auto run = [=, st = std::move(st), ptrs = std::move(ptrs), scalar = std::move(scalar)] {
    if constexpr (sizeof(T) == 4)
      tapegrad::elementwise_program_f32(n, st.data(), static_cast<int>(st.size()), ptrs.data(), scalar.data());
    else tapegrad::elementwise_program_f64(n, st.data(), static_cast<int>(st.size()), ptrs.data(), scalar.data());
  };
  if (capturing()) return capture_values(env, values, std::move(run));
  run();
}

Napi::Value elementwise_program(const Napi::CallbackInfo& info) {
  const char* fn = "elementwiseProgram";
  require_count(info, fn, 4);
  const int64_t n = get_int(info, fn, 0, 0, int64_t{1} << 53);
  const Span<int32_t> prog = get_array<int32_t>(info, fn, 1);
  const Span<double> scalars = get_array<double>(info, fn, 2);
  if (prog.length % 5 != 0)
    throw_range(info.Env(), fn, "argument 1 must hold 5 entries per step, got " + std::to_string(prog.length));
  if (scalars.length != prog.length / 5 * 2)
    throw_range(info.Env(), fn,
                "argument 2 must hold 2 entries per step (" + std::to_string(prog.length / 5 * 2) + "), got " +
                    std::to_string(scalars.length));
  if (!info[3].IsArray()) throw_type(info.Env(), fn, 3, "an array of Float32Arrays or Float64Arrays", info[3]);
  const Napi::Array list = info[3].As<Napi::Array>();
  if (list.Length() == 0) throw_range(info.Env(), fn, "argument 3 must hold at least one array, got none");
  const std::vector<int32_t> p(prog.data, prog.data + prog.length);
  const std::vector<double> sc(scalars.data, scalars.data + scalars.length);
  const Napi::Value first = list.Get(uint32_t{0});
  if (first.IsTypedArray() && first.As<Napi::TypedArray>().TypedArrayType() == napi_float64_array)
    program_typed<double>(info, fn, n, p, sc, list);
  else program_typed<float>(info, fn, n, p, sc, list);
  return info.Env().Undefined();
}

// ---- reduce -----------------------------------------------------------------------------------------

template <typename T>
void reduce_typed(const Napi::CallbackInfo& info, const char* fn, tapegrad::ReduceOp op) {
  const Napi::Env env = info.Env();
  const Span<T> x = fast_array<T>(info, fn, 1, 1);
  const Span<T> out = fast_array<T>(info, fn, 4, 1);
  std::vector<int64_t> shape = fast_int_list(info, fn, 2);
  const int64_t ndim = static_cast<int64_t>(shape.size());
  const std::vector<int64_t> dims = fast_int_list(info, fn, 3);
  uint32_t mask = 0;
  for (size_t j = 0; j < dims.size(); ++j) {
    if (dims[j] >= ndim)
      throw_range(
          env, fn,
          "argument 3 must list dims in [0, " + std::to_string(ndim) + ") of argument 2, got " + list_to_string(dims));
    if (j > 0 && dims[j] <= dims[j - 1])
      throw_range(env, fn, "argument 3 must be sorted without repeats, got " + list_to_string(dims));
    mask |= uint32_t{1} << dims[j];
  }
  const int64_t n = numel(env, fn, 2, shape);
  check_length(env, fn, 1, x.length, n, "the product of argument 2, " + list_to_string(shape));
  std::vector<int64_t> kept;
  for (int64_t d = 0; d < ndim; ++d)
    if (!(mask >> d & 1u)) kept.push_back(shape[static_cast<size_t>(d)]);
  const int64_t m = numel(env, fn, 2, kept);
  check_length(env, fn, 4, out.length, m, "the product of the kept dims, " + list_to_string(kept));
  if (overlap(byte_range(x.data, 0, n), byte_range(out.data, 0, m)))
    throw_range(env, fn, "argument 4 must not overlap argument 1 in memory, got views that share one ArrayBuffer");
  auto run = [=, shape = std::move(shape)] {
    if constexpr (sizeof(T) == 4)
      tapegrad::reduce_f32(op, static_cast<int>(ndim), shape.data(), mask, x.data, out.data);
    else tapegrad::reduce_f64(op, static_cast<int>(ndim), shape.data(), mask, x.data, out.data);
  };
  if (capturing()) return capture(info, {1, 4}, std::move(run));
  run();
}

Napi::Value reduce(const Napi::CallbackInfo& info) {
  const char* fn = "reduce";
  require_count(info, fn, 5);
  const auto op = static_cast<tapegrad::ReduceOp>(fast_op(info, fn, static_cast<int>(tapegrad::ReduceOp::Count)));
  if (fast_is_f32(info, fn, 1)) reduce_typed<float>(info, fn, op);
  else reduce_typed<double>(info, fn, op);
  return info.Env().Undefined();
}

template <typename Op, typename Name>
Napi::Array names(Napi::Env env, Op count, Name name) {
  const int n = static_cast<int>(count);
  Napi::Array arr = Napi::Array::New(env, static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) arr.Set(static_cast<uint32_t>(i), Napi::String::New(env, name(static_cast<Op>(i))));
  return arr;
}

}  // namespace

void register_elementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unaryOps", names(env, tapegrad::UnaryOp::Count, tapegrad::unary_op_name));
  exports.Set("binaryOps", names(env, tapegrad::BinaryOp::Count, tapegrad::binary_op_name));
  exports.Set("reduceOps", names(env, tapegrad::ReduceOp::Count, tapegrad::reduce_op_name));
  exports.Set("unary", Napi::Function::New(env, unary, "unary"));
  exports.Set("binary", Napi::Function::New(env, binary, "binary"));
  exports.Set("reduce", Napi::Function::New(env, reduce, "reduce"));
  exports.Set("elementwiseProgram", Napi::Function::New(env, elementwise_program, "elementwiseProgram"));
}

}  // namespace tapegrad_binding

// GEMM glue: gemm(...) and gemmBatched(...). Converts the JS arguments to plain C++ once, checks
// everything native/ relies on for memory safety (kinds, integers, bounds of every addressed element,
// C's strides, C not overlapping an input), then calls tapegrad::gemm_* (or, during a plan capture,
// records that call: binding/plan.h).
//   gemm(a, aOffset, rsa, csa, b, bOffset, rsb, csb, c, cOffset, rsc, csc, m, n, k, alpha, beta[, bias, biasOffset[,
//        epilogue, mask, maskOffset]])   epilogue 0 none, 1 relu, 2 C·(mask > 0) with mask at C's strides
//   gemmBatched(a, aOffsets, rsa, csa, b, bOffsets, rsb, csb, c, cOffsets, rsc, csc, m, n, k, alpha, beta)
#include <napi.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "args.h"
#include "plan.h"
#include "tapegrad/gemm.h"

namespace tapegrad_binding {
namespace {

// Index of the last element a rows×cols matrix with non-negative strides addresses, relative to its
// offset; exact in 128-bit arithmetic (no overflow for any inputs in [0, 2^53]).
__int128 span(int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  return static_cast<__int128>(rows - 1) * rs + static_cast<__int128>(cols - 1) * cs;
}

std::string to_string128(__int128 v) {
  if (v >= 0 && v <= static_cast<__int128>(INT64_MAX)) return std::to_string(static_cast<int64_t>(v));
  return "more than 2^63";
}

// Every addressed element of argument i (offsets in [min_off, max_off]) lies inside its length.
void check_bounds(const Napi::Env& env, const char* fn, size_t i, const char* name, size_t length, int64_t max_off,
                  __int128 last) {
  const __int128 top = static_cast<__int128>(max_off) + last;
  if (top >= static_cast<__int128>(length))
    throw_range(env, fn,
                "argument " + std::to_string(i) + " must hold every element of " + name +
                    " the offsets, sizes and strides address (up to index " + to_string128(top) + "), got length " +
                    std::to_string(length));
}

// The bytes an operand addresses: from its lowest offset to its highest offset plus its last index
// (checked in bounds first, so the sum fits).
template <typename T>
ByteRange operand_bytes(const T* data, int64_t min_off, int64_t max_off, __int128 last) {
  return byte_range(data, min_off, max_off - min_off + static_cast<int64_t>(last) + 1);
}

void check_disjoint(const Napi::Env& env, const char* fn, const ByteRange& c, const ByteRange& other, size_t other_arg,
                    const char* other_name) {
  if (overlap(c, other))
    throw_range(env, fn,
                "argument 8 must not overlap argument " + std::to_string(other_arg) + " (" + other_name +
                    ") in memory, got views that share elements of one ArrayBuffer");
}

void check_c_strides(const Napi::Env& env, const char* fn, int64_t m, int64_t n, int64_t rsc, int64_t csc) {
  if (m > 1 && rsc == 0)
    throw_range(env, fn, "argument 10 must be positive when m > 1 (C's rows would share elements), got 0");
  if (n > 1 && csc == 0)
    throw_range(env, fn, "argument 11 must be positive when n > 1 (C's columns would share elements), got 0");
}

// The hot path reads each argument with a single N-API call (a 64³ product takes ~3 µs, so the
// ~20 ns per N-API call matters); on any failure the args.h helpers produce the exact error.
int64_t fast_int(const Napi::CallbackInfo& info, const char* fn, size_t i, int64_t lo, int64_t hi) {
  double d;
  if (napi_get_value_double(info.Env(), info[i], &d) == napi_ok && d >= static_cast<double>(lo) &&
      d <= static_cast<double>(hi) && d == static_cast<double>(static_cast<int64_t>(d)))
    return static_cast<int64_t>(d);
  return get_int(info, fn, i, lo, hi);
}

double fast_number(const Napi::CallbackInfo& info, const char* fn, size_t i) {
  double d;
  if (napi_get_value_double(info.Env(), info[i], &d) == napi_ok) return d;
  return get_number(info, fn, i);
}

template <typename T>
Span<T> fast_array(const Napi::CallbackInfo& info, const char* fn, size_t i) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  const napi_value v = info[i];
  bool is_typed = false;
  if (napi_is_typedarray(info.Env(), v, &is_typed) == napi_ok && is_typed &&
      napi_get_typedarray_info(info.Env(), v, &type, &length, &data, nullptr, nullptr) == napi_ok &&
      type == TypedArrayTraits<T>::type)
    return {static_cast<T*>(data), length};
  return get_array<T>(info, fn, i);
}

struct Dims {
  int64_t rsa, csa, rsb, csb, rsc, csc, m, n, k;
  double alpha, beta;
};

Dims get_dims(const Napi::CallbackInfo& info, const char* fn) {
  Dims d;
  d.rsa = fast_int(info, fn, 2, 0, kMaxInt);
  d.csa = fast_int(info, fn, 3, 0, kMaxInt);
  d.rsb = fast_int(info, fn, 6, 0, kMaxInt);
  d.csb = fast_int(info, fn, 7, 0, kMaxInt);
  d.rsc = fast_int(info, fn, 10, 0, kMaxInt);
  d.csc = fast_int(info, fn, 11, 0, kMaxInt);
  d.m = fast_int(info, fn, 12, 0, kMaxInt);
  d.n = fast_int(info, fn, 13, 0, kMaxInt);
  d.k = fast_int(info, fn, 14, 0, kMaxInt);
  d.alpha = fast_number(info, fn, 15);
  d.beta = fast_number(info, fn, 16);
  return d;
}

// Every element that A, B and C address lies inside its array, and C overlaps neither A nor B. Each
// operand's offsets span [lo, hi] (lo == hi for a single product). Returns C's byte range, for the
// bias check. Precondition: m, n > 0.
template <typename T>
ByteRange check_operands(const Napi::Env& env, const char* fn, const Dims& d, const Span<T>& a, int64_t a_lo,
                         int64_t a_hi, const Span<T>& b, int64_t b_lo, int64_t b_hi, const Span<T>& c, int64_t c_lo,
                         int64_t c_hi) {
  const __int128 c_last = span(d.m, d.n, d.rsc, d.csc);
  check_bounds(env, fn, 8, "C", c.length, c_hi, c_last);
  const ByteRange cr = operand_bytes(c.data, c_lo, c_hi, c_last);
  if (d.k > 0) {
    const __int128 a_last = span(d.m, d.k, d.rsa, d.csa), b_last = span(d.k, d.n, d.rsb, d.csb);
    check_bounds(env, fn, 0, "A", a.length, a_hi, a_last);
    check_bounds(env, fn, 4, "B", b.length, b_hi, b_last);
    check_disjoint(env, fn, cr, operand_bytes(a.data, a_lo, a_hi, a_last), 0, "A");
    check_disjoint(env, fn, cr, operand_bytes(b.data, b_lo, b_hi, b_last), 4, "B");
  }
  return cr;
}

template <typename T>
void gemm_typed(const Napi::CallbackInfo& info) {
  const char* fn = "gemm";
  const Span<T> a = fast_array<T>(info, fn, 0);
  const int64_t a_off = fast_int(info, fn, 1, 0, kMaxInt);
  const Span<T> b = fast_array<T>(info, fn, 4);
  const int64_t b_off = fast_int(info, fn, 5, 0, kMaxInt);
  const Span<T> c = fast_array<T>(info, fn, 8);
  const int64_t c_off = fast_int(info, fn, 9, 0, kMaxInt);
  const Dims d = get_dims(info, fn);
  Span<T> bias{nullptr, 0};
  int64_t bias_off = 0;
  const bool has_bias = info.Length() > 17 && !info[17].IsUndefined() && !info[17].IsNull();
  if (has_bias) {
    const Napi::Value v = info[17];
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != TypedArrayTraits<T>::type)
      throw_type(info.Env(), fn, 17, std::string(TypedArrayTraits<T>::name) + ", null or undefined", v);
    bias = get_array<T>(info, fn, 17);
    if (info.Length() > 18 && !info[18].IsUndefined()) bias_off = get_int(info, fn, 18, 0, kMaxInt);
  }
  // The epilogue (19: 0 none, 1 relu, 2 times (mask > 0)); mask (20) has C's strides from offset 21.
  int64_t epilogue = 0;
  if (info.Length() > 19 && !info[19].IsUndefined()) epilogue = get_int(info, fn, 19, 0, 2);
  Span<T> mask{nullptr, 0};
  int64_t mask_off = 0;
  if (epilogue == 2) {
    const Napi::Value v = info.Length() > 20 ? info[20] : info.Env().Undefined();
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != TypedArrayTraits<T>::type)
      throw_type(info.Env(), fn, 20, std::string(TypedArrayTraits<T>::name) + " (the mask of epilogue 2)", v);
    mask = get_array<T>(info, fn, 20);
    if (info.Length() > 21 && !info[21].IsUndefined()) mask_off = get_int(info, fn, 21, 0, kMaxInt);
  }
  check_c_strides(info.Env(), fn, d.m, d.n, d.rsc, d.csc);
  if (d.m == 0 || d.n == 0) return;  // nothing is addressed

  const ByteRange cr = check_operands(info.Env(), fn, d, a, a_off, a_off, b, b_off, b_off, c, c_off, c_off);
  if (has_bias) {
    check_bounds(info.Env(), fn, 17, "bias", bias.length, bias_off, d.n - 1);
    check_disjoint(info.Env(), fn, cr, operand_bytes(bias.data, bias_off, bias_off, d.n - 1), 17, "bias");
  }
  if (epilogue == 2) {
    const __int128 c_last = span(d.m, d.n, d.rsc, d.csc);
    check_bounds(info.Env(), fn, 20, "the mask", mask.length, mask_off, c_last);
    check_disjoint(info.Env(), fn, cr, operand_bytes(mask.data, mask_off, mask_off, c_last), 20, "the mask");
  }
  const T* bp = has_bias ? bias.data + bias_off : nullptr;
  const T* mp = epilogue == 2 ? mask.data + mask_off : nullptr;
  const auto ep = static_cast<tapegrad::GemmEpilogue>(epilogue);
  auto run = [=] {
    if constexpr (sizeof(T) == 4)
      tapegrad::gemm_fused_f32(d.m, d.n, d.k, static_cast<float>(d.alpha), a.data + a_off, d.rsa, d.csa, b.data + b_off,
                               d.rsb, d.csb, static_cast<float>(d.beta), c.data + c_off, d.rsc, d.csc, bp, ep, mp,
                               d.rsc, d.csc);
    else
      tapegrad::gemm_fused_f64(d.m, d.n, d.k, d.alpha, a.data + a_off, d.rsa, d.csa, b.data + b_off, d.rsb, d.csb,
                               d.beta, c.data + c_off, d.rsc, d.csc, bp, ep, mp, d.rsc, d.csc);
  };
  if (capturing()) return capture(info, {0, 4, 8, 17, 20}, std::move(run));
  run();
}

Napi::Value gemm(const Napi::CallbackInfo& info) {
  require_count(info, "gemm", 17);
  if (is_f32(info, "gemm", 0)) gemm_typed<float>(info);
  else gemm_typed<double>(info);
  return info.Env().Undefined();
}

// A Float64Array of element offsets: each an integer in [0, 2^53].
std::vector<int64_t> get_offsets(const Napi::CallbackInfo& info, const char* fn, size_t i, int64_t* min_off,
                                 int64_t* max_off) {
  const Span<double> s = get_array<double>(info, fn, i);
  std::vector<int64_t> out(s.length);
  int64_t lo = kMaxInt, hi = 0;
  for (size_t j = 0; j < s.length; ++j) {
    const double x = s.data[j];
    if (!(x >= 0 && x <= static_cast<double>(kMaxInt)) || x != static_cast<double>(static_cast<int64_t>(x)))
      throw_range(info.Env(), fn,
                  "argument " + std::to_string(i) + " entry " + std::to_string(j) + " must be an integer in [0, " +
                      std::to_string(kMaxInt) + "], got " + std::to_string(x));
    out[j] = static_cast<int64_t>(x);
    lo = std::min(lo, out[j]);
    hi = std::max(hi, out[j]);
  }
  *min_off = lo;
  *max_off = hi;
  return out;
}

template <typename T>
void gemm_batched_typed(const Napi::CallbackInfo& info) {
  const char* fn = "gemmBatched";
  const Span<T> a = get_array<T>(info, fn, 0);
  const Span<T> b = get_array<T>(info, fn, 4);
  const Span<T> c = get_array<T>(info, fn, 8);
  int64_t a_lo, a_hi, b_lo, b_hi, c_lo, c_hi;
  std::vector<int64_t> ao = get_offsets(info, fn, 1, &a_lo, &a_hi);
  std::vector<int64_t> bo = get_offsets(info, fn, 5, &b_lo, &b_hi);
  std::vector<int64_t> co = get_offsets(info, fn, 9, &c_lo, &c_hi);
  if (bo.size() != ao.size())
    throw_range(info.Env(), fn,
                "argument 5 must have as many offsets as argument 1 (" + std::to_string(ao.size()) + "), got " +
                    std::to_string(bo.size()));
  if (co.size() != ao.size())
    throw_range(info.Env(), fn,
                "argument 9 must have as many offsets as argument 1 (" + std::to_string(ao.size()) + "), got " +
                    std::to_string(co.size()));
  const Dims d = get_dims(info, fn);
  check_c_strides(info.Env(), fn, d.m, d.n, d.rsc, d.csc);
  const int64_t batch = static_cast<int64_t>(ao.size());
  if (batch == 0 || d.m == 0 || d.n == 0) return;

  check_operands(info.Env(), fn, d, a, a_lo, a_hi, b, b_lo, b_hi, c, c_lo, c_hi);
  // The offsets are copied (a plan keeps its copy; the offset arrays are not among its buffers).
  auto run = [=, ao = std::move(ao), bo = std::move(bo), co = std::move(co)] {
    if constexpr (sizeof(T) == 4)
      tapegrad::gemm_batched_f32(batch, d.m, d.n, d.k, static_cast<float>(d.alpha), a.data, ao.data(), d.rsa, d.csa,
                                 b.data, bo.data(), d.rsb, d.csb, static_cast<float>(d.beta), c.data, co.data(), d.rsc,
                                 d.csc);
    else
      tapegrad::gemm_batched_f64(batch, d.m, d.n, d.k, d.alpha, a.data, ao.data(), d.rsa, d.csa, b.data, bo.data(),
                                 d.rsb, d.csb, d.beta, c.data, co.data(), d.rsc, d.csc);
  };
  if (capturing()) return capture(info, {0, 4, 8}, std::move(run));
  run();
}

Napi::Value gemm_batched(const Napi::CallbackInfo& info) {
  require_count(info, "gemmBatched", 17);
  if (is_f32(info, "gemmBatched", 0)) gemm_batched_typed<float>(info);
  else gemm_batched_typed<double>(info);
  return info.Env().Undefined();
}

}  // namespace

void register_gemm(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", Napi::Function::New(env, gemm, "gemm"));
  exports.Set("gemmBatched", Napi::Function::New(env, gemm_batched, "gemmBatched"));
}

}  // namespace tapegrad_binding

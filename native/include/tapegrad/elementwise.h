// Elementwise kernels: unary maps and binary maps with NumPy broadcasting.
//
// Vectorised for the running CPU (scalar / AVX2 / AVX-512 builds of one generic body, chosen per call
// from active_isa()), and split over the thread pool above ~64k elements. The transcendental ops use
// our own branch-free fdlibm-style polynomials so they vectorise; for float64 they are within 2 ulp of
// the exact result (exp/log/sin/cos/log1p/expm1 within 1, measured against long double libm), like
// glibc's; float32 ones are computed in double and rounded once (≤ 1 ulp). Sin/cos arguments beyond
// 5e5 in magnitude go to libm. Pow calls libm per element; float64 Gelu/GeluGrad do not vectorise yet.
#pragma once
#include <cstdint>

namespace tapegrad {

// out[i] = f(x[i], p0, p1) for i in [0, n). out may equal x (in place); otherwise no overlap.
// p0/p1 are the op's scalar parameters (e.g. PowScalar's exponent, Clamp's bounds); unused ones are ignored.
// NaN inputs give NaN outputs except where noted. Float32 kernels round p0/p1 to float for the cheap
// arithmetic ops (as PyTorch does with a Python scalar) and compute the transcendentals in double.
enum class UnaryOp : int {
  Neg,  // -x
  Exp,
  Log,
  Sqrt,
  Sin,
  Cos,
  Tanh,
  Sigmoid,  // 1 / (1 + exp(-x))
  Relu,     // x > 0 ? x : 0 (NaN stays NaN)
  Abs,
  PowScalar,   // x^p0, std::pow conventions
  AddScalar,   // x + p0
  MulScalar,   // x * p0
  ReluMask,    // x > 0 ? 1 : 0 (relu's derivative; NaN gives 0)
  Clamp,       // min(max(x, p0), p1) as torch.clamp: NaN stays NaN, p0 > p1 gives p1; pass ±inf for no bound
  Reciprocal,  // 1 / x
  Square,      // x * x
  Sign,        // -1, 0 or 1 (±0 and NaN pass through)
  // The ops below compute in double for float32 too (matching lib/'s JS loops, which round once).
  ClampMask,      // p0 <= x <= p1 ? 1 : 0 (clamp's derivative; NaN gives 0)
  Rsqrt,          // 1 / sqrt(x)
  Log1p,          // log(1 + x), accurate for small x
  Expm1,          // exp(x) − 1, accurate for small x
  Softplus,       // β = p0, threshold = p1 (torch): β·x > threshold ? x : log1p(exp(β·x)) / β
  SoftplusMask,   // β·x > threshold ? 1 : 0
  LeakyRelu,      // x > 0 ? x : p0·x
  LeakyReluGrad,  // x > 0 ? 1 : p0 (NaN stays NaN)
  Elu,            // x > 0 ? x : p0·expm1(x)
  GeluTanh,       // 0.5·x·(1 + tanh(sqrt(2/pi)·(x + 0.044715·x³))) (torch gelu, approximate='tanh')
  Silu,           // x / (1 + exp(−x))
  Gelu,           // x·Φ(x) = ½·x·erfc(−x/√2) (torch gelu, approximate='none'); fdlibm's erfc, branch-free
  GeluGrad,       // Φ(x) + x·φ(x), gelu's derivative (φ the standard normal density)
  Count
};
// Lower-camel-case name of the op ("neg", "powScalar", ...), or "" when op is out of range.
const char* unary_op_name(UnaryOp op) noexcept;

void unary_f32(UnaryOp op, const float* x, float* out, int64_t n, double p0, double p1) noexcept;
void unary_f64(UnaryOp op, const double* x, double* out, int64_t n, double p0, double p1) noexcept;

// out[idx] = f(a[idx·a_strides], b[idx·b_strides]) over the multi-index idx of out_shape (ndim dims,
// 0 <= ndim <= 16); out is contiguous row-major. A stride of 0 broadcasts that operand along the dim.
// Strides are in elements and must keep every addressed element inside the operand (the caller checks).
// out may equal a or b only when that operand is contiguous with out's shape; otherwise no overlap.
// Pow follows std::pow (pow(x, 0) = 1 even for NaN x, pow(-8, 1/3) = NaN, ...); Maximum/Minimum
// propagate NaN (torch.maximum). Float32 Pow is computed in double and rounded.
enum class BinaryOp : int { Add, Sub, Mul, Div, Pow, Maximum, Minimum, Count };
const char* binary_op_name(BinaryOp op) noexcept;

void binary_f32(BinaryOp op, int ndim, const int64_t* out_shape, const float* a, const int64_t* a_strides,
                const float* b, const int64_t* b_strides, float* out) noexcept;
void binary_f64(BinaryOp op, int ndim, const int64_t* out_shape, const double* a, const int64_t* a_strides,
                const double* b, const int64_t* b_strides, double* out) noexcept;

// A chain of elementwise ops over arrays of n elements, run block by block (each block through every
// step while it is in L1) instead of one pass over memory per op: tg.compile's fused elementwise runs.
// Step s reads arrays[in0] (and arrays[in1] for a binary step) and writes arrays[out]; an input whose
// `scalar` flag is set is read at element 0 for every element (a broadcast number). Every step applies
// the same row kernel the separate unary_*/binary_* calls use, on blocks aligned to 1024 elements, so the
// result is bit-identical to running the steps one after the other. An output may be one of its own
// step's inputs (in place); arrays are otherwise distinct or identical, never partially overlapping.
struct ElementwiseStep {
  int binary;  // 0: unary op `code` with p0, p1; 1: binary op `code`
  int code;
  int in0, in1, out;
  double p0, p1;
};
void elementwise_program_f32(int64_t n, const ElementwiseStep* steps, int count, float* const* arrays,
                             const unsigned char* scalar) noexcept;
void elementwise_program_f64(int64_t n, const ElementwiseStep* steps, int count, double* const* arrays,
                             const unsigned char* scalar) noexcept;

}  // namespace tapegrad

// Elementwise kernels: unary maps and binary maps with NumPy broadcasting.
#pragma once
#include <cstdint>

namespace tapegrad {

// out[i] = f(x[i], p0, p1) for i in [0, n). out may equal x (in place); otherwise no overlap.
// p0/p1 are the op's scalar parameters (e.g. PowScalar's exponent, Clamp's bounds); unused ones are ignored.
enum class UnaryOp : int {
  Neg, Exp, Log, Sqrt, Sin, Cos, Tanh, Sigmoid, Relu, Abs,
  PowScalar,  // x^p0
  AddScalar,  // x + p0
  MulScalar,  // x * p0
  ReluMask,   // x > 0 ? 1 : 0 (relu's derivative)
  Count
};
const char* unary_op_name(UnaryOp op) noexcept;

void unary_f32(UnaryOp op, const float* x, float* out, int64_t n, double p0, double p1) noexcept;
void unary_f64(UnaryOp op, const double* x, double* out, int64_t n, double p0, double p1) noexcept;

// out[idx] = f(a[idx·a_strides], b[idx·b_strides]) over the multi-index idx of out_shape (ndim dims,
// 0 <= ndim <= 16); out is contiguous row-major. A stride of 0 broadcasts that operand along the dim.
// out may equal a or b only when that operand is contiguous with out's shape.
enum class BinaryOp : int { Add, Sub, Mul, Div, Pow, Maximum, Minimum, Count };
const char* binary_op_name(BinaryOp op) noexcept;

void binary_f32(BinaryOp op, int ndim, const int64_t* out_shape,
                const float* a, const int64_t* a_strides,
                const float* b, const int64_t* b_strides, float* out) noexcept;
void binary_f64(BinaryOp op, int ndim, const int64_t* out_shape,
                const double* a, const int64_t* a_strides,
                const double* b, const int64_t* b_strides, double* out) noexcept;

}  // namespace tapegrad

// Reductions over any set of dims of a contiguous row-major tensor.
#pragma once
#include <cstdint>

namespace tapegrad {

// x has shape[0..ndim) (0 <= ndim <= 16), contiguous row-major. Dim d is reduced when bit d of
// reduce_mask is set (bits >= ndim are ignored). out holds the kept dims in order, contiguous
// (size = product of kept dims; keepdim is only a reshape, done by the caller). out must not overlap x.
// Sum, Mean and Prod accumulate in double (for f64 blocked/pairwise) so long sums stay accurate.
// Max/Min propagate NaN. An empty reduction gives Sum 0, Prod 1, Mean NaN, Max -inf, Min +inf.
// Vectorised for the running CPU; large reductions are split over the thread pool.
enum class ReduceOp : int { Sum, Mean, Max, Min, Prod, Count };
// Lower-camel-case name of the op ("sum", ...), or "" when op is out of range.
const char* reduce_op_name(ReduceOp op) noexcept;

void reduce_f32(ReduceOp op, int ndim, const int64_t* shape, uint32_t reduce_mask, const float* x, float* out) noexcept;
void reduce_f64(ReduceOp op, int ndim, const int64_t* shape, uint32_t reduce_mask, const double* x,
                double* out) noexcept;

}  // namespace tapegrad
